"""The declared create/edit/delete pages of the section (common.views.TenantObjectEditView and
TenantObjectDeleteView): each renders its title under the section's tabs, saves through its
service with one activity entry and the message naming the record, and deletes after a
confirmation saying what goes with it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from activity.models import ActivityEntry
from tests.factories import member
from tests.partners import factories as f

pytestmark = pytest.mark.django_db


def u(tenant, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def _account(tenant):
    return f.PartnerAccountFactory(tenant=tenant, name="Northwind")


def _partner_user(tenant):
    return f.PartnerUserFactory(account__tenant=tenant)


def _opportunity(tenant):
    return f.OpportunityFactory(account__tenant=tenant, name="Big deal")


def _lead(tenant):
    return f.LeadFactory(account__tenant=tenant, company="Initech")


def _assignment(tenant):
    return f.CourseAssignmentFactory(partner_user__account__tenant=tenant, course_name="Sales 101")


def _rate(tenant):
    return f.CurrencyRateFactory(tenant=tenant)


def _benefit(tenant):
    return f.BenefitFactory(tenant=tenant, name="Margin Uplift")


# (record, its factory, edit url name, id keyword, list url name, noun, the edit form's data)
EDIT_PAGES = [
    (
        "account",
        _account,
        "account_edit",
        "account_id",
        "account_list",
        "partner account",
        lambda o: {"name": "Northwind Traders", "region": "EMEA", "website": ""},
    ),
    (
        "partner_user",
        _partner_user,
        "partner_user_edit",
        "partner_user_id",
        "partner_user_list",
        "partner user",
        lambda o: {"account": o.account_id, "is_partner_admin": "on"},
    ),
    (
        "opportunity",
        _opportunity,
        "opportunity_edit",
        "opportunity_id",
        "opportunity_list",
        "opportunity",
        lambda o: {
            "account": o.account_id,
            "owner": "",
            "name": "Bigger deal",
            "amount": "2000.00",
            "expected_revenue": "0",
            "currency": "USD",
            "stage": "closed_won",
            "close_date": "2026-03-01",
            "created_date": "2026-02-01",
        },
    ),
    (
        "lead",
        _lead,
        "lead_edit",
        "lead_id",
        "lead_list",
        "deal registration",
        lambda o: {
            "account": o.account_id,
            "owner": "",
            "company": "Initrode",
            "status": "approved",
            "approval_date": "2026-03-01",
            "created_date": "2026-02-01",
        },
    ),
    (
        "assignment",
        _assignment,
        "course_edit",
        "assignment_id",
        "course_list",
        "course assignment",
        lambda o: {
            "partner_user": o.partner_user_id,
            "course_name": "Sales 201",
            "assigned_date": "2026-02-01",
            "completed_date": "2026-03-01",
        },
    ),
    (
        "rate",
        _rate,
        "rate_edit",
        "rate_id",
        "rate_list",
        "currency rate",
        lambda o: {"date": o.date.isoformat(), "from_currency": "EUR", "to_currency": "USD", "rate": "1.25"},
    ),
    (
        "benefit",
        _benefit,
        "benefit_edit",
        "benefit_id",
        "benefit_list",
        "benefit",
        lambda o: {"name": "Margin Uplift Plus", "description": ""},
    ),
]

# (record, its factory, delete url name, id keyword, list url name, noun)
DELETE_PAGES = [
    ("opportunity", _opportunity, "opportunity_delete", "opportunity_id", "opportunity_list", "opportunity"),
    ("lead", _lead, "lead_delete", "lead_id", "lead_list", "deal registration"),
    ("assignment", _assignment, "course_delete", "assignment_id", "course_list", "course assignment"),
    ("rate", _rate, "rate_delete", "rate_id", "rate_list", "currency rate"),
    ("benefit", _benefit, "benefit_delete", "benefit_id", "benefit_list", "benefit"),
]


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("record", "make", "edit", "kwarg", "list_name", "noun", "data"), EDIT_PAGES, ids=[p[0] for p in EDIT_PAGES]
)
def test_edit_page_saves_through_its_service(tenant, tiers_client, record, make, edit, kwarg, list_name, noun, data):
    obj = make(tenant)
    obj.refresh_from_db()  # the page names the record as stored (a rate's decimals)
    add_name = edit.replace("_edit", "_add")
    page = tiers_client.get(u(tenant, add_name)).content.decode()
    assert f"New {noun}" in page and f'href="{u(tenant, list_name)}"' in page
    page = tiers_client.get(u(tenant, edit, **{kwarg: obj.pk})).content.decode()
    assert f"Edit {noun} {obj}" in page
    entries = ActivityEntry.objects.filter(tenant=tenant).count()
    response = tiers_client.post(u(tenant, edit, **{kwarg: obj.pk}), data(obj))
    assert response.status_code == 302 and response["Location"] == u(tenant, list_name)
    (message,) = _messages(response)
    assert message.startswith(f"Saved {noun} ")  # named as the service returned it
    assert ActivityEntry.objects.filter(tenant=tenant).count() == entries + 1


@pytest.mark.parametrize(
    ("record", "make", "delete", "kwarg", "list_name", "noun"), DELETE_PAGES, ids=[p[0] for p in DELETE_PAGES]
)
def test_delete_page_confirms_then_deletes_through_its_service(
    tenant, tiers_client, client, record, make, delete, kwarg, list_name, noun
):
    obj = make(tenant)
    obj.refresh_from_db()  # the page names the record as stored (a rate's decimals)
    dialog = tiers_client.get(u(tenant, delete, **{kwarg: obj.pk}), headers={"HX-Request": "true"})
    assert f"Delete {noun} “{obj}”?" in dialog.content.decode()
    entries = ActivityEntry.objects.filter(tenant=tenant).count()
    response = tiers_client.post(u(tenant, delete, **{kwarg: obj.pk}))
    assert response.status_code == 302 and response["Location"] == u(tenant, list_name)
    assert _messages(response) == [f"Deleted {noun} “{obj}”."]
    assert not type(obj).objects.filter(tenant=tenant, pk=obj.pk).exists()
    assert ActivityEntry.objects.filter(tenant=tenant).count() == entries + 1
    other = make(tenant)
    client.force_login(member(tenant, "Sales Rep").user)
    assert client.post(u(tenant, delete, **{kwarg: other.pk})).status_code == 403
    assert type(other).objects.filter(tenant=tenant, pk=other.pk).exists()
