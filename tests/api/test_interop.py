"""A real OData v4 client (python-odata) against the live server: it reads $metadata, builds its
entity classes from it, and queries with filters, ordering, paging (following @odata.nextLink),
$count and single entities by key."""

import pytest
import requests
from django.test import override_settings
from django.urls import reverse
from odata import ODataService

from api.services import create_api_key
from tests.factories import member


@pytest.fixture
def service(live_server, tenant, admin_member):
    key = create_api_key(tenant=tenant, user=admin_member.user, name="Interop", actor=None).key
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    url = live_server.url + reverse("api:service_root", kwargs={"tenant_slug": tenant.slug})
    return ODataService(url, reflect_entities=True, session=session, quiet_progress=True)


@pytest.mark.django_db(transaction=True)
@override_settings(ODATA_PAGE_SIZE=3)
def test_client_reads_metadata_and_queries_users(service, tenant, admin_member):
    reps = [member(tenant, "Sales Rep", title=f"Rep {i}") for i in range(7)]
    member(tenant, "Manager", title="Boss")
    User = service.entities["Users"]

    everyone = service.query(User).order_by(User.Email.asc()).all()  # 9 rows in pages of 3
    assert len(everyone) == 9
    assert [u.Email for u in everyone] == sorted(u.Email for u in everyone)
    assert {u.Id for u in everyone} >= {admin_member.user_id, *(r.user_id for r in reps)}

    query = service.query(User).filter(User.Role == "Sales Rep").order_by(User.Title.desc())
    titles = [u.Title for u in query.all()]
    assert titles == [f"Rep {i}" for i in range(6, -1, -1)]
    assert service.query(User).filter(User.Role == "Sales Rep").count() == 7

    page = service.query(User).filter(User.Role == "Sales Rep").order_by(User.Title.asc()).offset(2).limit(2).all()
    assert [u.Title for u in page] == ["Rep 2", "Rep 3"]

    one = service.query(User).get(reps[0].user_id)
    assert one.Email == reps[0].user.email and one.IsActive is True


@pytest.mark.django_db(transaction=True)
@override_settings(ODATA_PAGE_SIZE=2)
def test_client_filters_money_and_expands_the_plan(service, tenant):
    from decimal import Decimal

    from tests.plans.factories import PlanFactory, RewardFactory

    plan = PlanFactory(tenant=tenant, name="Q4 Kicker")
    rep = member(tenant, "Sales Rep").user
    for amount in ("10.00", "20.50", "30.25", "-5.00", "99.99"):
        RewardFactory(plan=plan, user=rep, amount=Decimal(amount))
    Reward = service.entities["Rewards"]
    query = service.query(Reward).filter(Reward.Amount > Decimal("15")).order_by(Reward.Amount.desc())
    rewards = query.expand(Reward.Plan).all()  # 3 rows in pages of 2
    assert [r.Amount for r in rewards] == [Decimal("99.99"), Decimal("30.25"), Decimal("20.50")]
    assert {r.Plan.Name for r in rewards} == {"Q4 Kicker"}
    assert service.query(Reward).filter(Reward.Amount < 0).count() == 1
