"""The plans and enrollments entity sets: Plans, Teams, Transactions, Calculations, Credits,
Rewards, Enrollments (reset ones included and marked), with $expand of the plan."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from enrollments.models import EnrollmentReset
from tests.factories import UserFactory, member
from tests.plans.factories import (
    CalculationFactory,
    CreditFactory,
    EnrollmentFactory,
    PlanFactory,
    RewardFactory,
    SalesTransactionFactory,
    TeamFactory,
    TeamMemberFactory,
)

NS = {"edm": "http://docs.oasis-open.org/odata/ns/edm"}


@pytest.fixture
def world(tenant, admin_member):
    rep = member(tenant, "Sales Rep", user=UserFactory(email="rep@acme.test", full_name="Rita Rep")).user
    plan = PlanFactory(tenant=tenant, name="Q1 Accelerator", commission_rate=Decimal("7.500"))
    other_plan = PlanFactory(
        tenant=tenant, name="Draft plan", status="draft", legally_protected=False, enrollment_option="none_hidden"
    )
    team = TeamFactory(tenant=tenant, name="East")
    TeamMemberFactory(team=team, user=rep)
    tx = SalesTransactionFactory(
        tenant=tenant, external_id="TX-1", amount=Decimal("1234.56"), rep=rep, team=team, date=dt.date(2026, 3, 15)
    )
    SalesTransactionFactory(tenant=tenant, external_id="TX-2", amount=Decimal("99.99"), date=dt.date(2026, 2, 1))
    calc = CalculationFactory(plan=plan, name="Q1 run", status="released")
    credit = CreditFactory(calculation=calc, transaction=tx, user=rep, amount=Decimal("1234.56"), released=True)
    rewards = [
        RewardFactory(plan=plan, calculation=calc, user=rep, amount=Decimal("92.59")),
        RewardFactory(plan=plan, user=rep, amount=Decimal("-25.00"), recoverable=True, released=False),
        RewardFactory(plan=None, tenant=tenant, user=rep, amount=Decimal("500.00"), recoverable=True),
    ]
    batch = EnrollmentReset.objects.create(tenant=tenant, plan=plan, count=1)
    old = EnrollmentFactory(
        plan=plan,
        user=rep,
        enrolled_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        reset_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        reset_batch=batch,
    )
    current = EnrollmentFactory(plan=plan, user=rep, method="signature", signature="Rita Rep")
    return {
        "rep": rep,
        "plan": plan,
        "other_plan": other_plan,
        "team": team,
        "tx": tx,
        "calc": calc,
        "credit": credit,
        "rewards": rewards,
        "old": old,
        "current": current,
    }


@pytest.fixture
def foreign(other_tenant):
    """The same kinds of rows in another tenant: never visible."""
    plan = PlanFactory(tenant=other_tenant, name="Q1 Accelerator")
    calc = CalculationFactory(plan=plan)
    CreditFactory(calculation=calc)
    RewardFactory(plan=plan, calculation=calc)
    EnrollmentFactory(plan=plan)
    TeamFactory(tenant=other_tenant, name="East")
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("Plans", 2),
        ("Teams", 1),
        ("Transactions", 2),
        ("Calculations", 1),
        ("Credits", 1),
        ("Rewards", 3),
        ("Enrollments", 2),
    ],
)
def test_each_set_lists_only_this_tenants_rows(odata, world, foreign, name, count):
    if name == "Teams":
        assert odata.json(f"Teams({world['team'].pk})")["MemberCount"] == 1
    body = odata.json(name, {"$count": "true"})
    assert body["@odata.count"] == len(body["value"]) == count
    assert body["@odata.context"].endswith(f"$metadata#{name}")
    assert odata.get(f"{name}/$count").content == str(count).encode()
    assert name in {s["name"] for s in odata.json()["value"]}


@pytest.mark.django_db
def test_foreign_ids_are_404(odata, world, foreign):
    reward = foreign.rewards.get()
    odata.json(f"Rewards({reward.pk})", status=404)
    odata.json(f"Plans({foreign.pk})", status=404)
    assert odata.json("Rewards", {"$filter": f"PlanId eq {foreign.pk}"})["value"] == []


@pytest.mark.django_db
def test_money_is_exact_and_typed(odata, world):
    response = odata.get("Transactions", {"$filter": "ExternalId eq 'TX-1'"})
    raw = b"".join(response.streaming_content).decode()
    assert '"Amount":1234.56' in raw and '"Date":"2026-03-15"' in raw
    body = json.loads(raw, parse_float=Decimal)
    assert body["value"][0]["Amount"] == Decimal("1234.56")
    plan = odata.json(f"Plans({world['plan'].pk})")
    assert plan["CommissionRate"] == 7.5 and plan["RequiresEnrollment"] is True and plan["BeneficiaryCount"] == 0
    assert odata.json(f"Plans({world['other_plan'].pk})")["RequiresEnrollment"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expression", "expected"),
    [
        ("Rewards", "Amount gt 0 and Recoverable eq true", ["500.00"]),
        ("Rewards", "Amount lt 0", ["-25.00"]),
        ("Rewards", "Amount ge 92.59 and Amount le 92.59", ["92.59"]),
        ("Rewards", "PlanId eq null", ["500.00"]),
        ("Rewards", "Plan/Name eq 'Q1 Accelerator' and Released eq true", ["92.59"]),
        ("Transactions", "Date ge 2026-03-01 and Amount gt 100", ["1234.56"]),
        ("Transactions", "Rep/Email eq 'rep@acme.test'", ["1234.56"]),
        ("Credits", "TeamId eq null and Released eq true", ["1234.56"]),
    ],
)
def test_filters_on_domain_types(odata, world, name, expression, expected):
    body = odata.json(name, {"$filter": expression, "$orderby": "Amount desc"})
    assert [format(Decimal(str(row["Amount"])), ".2f") for row in body["value"]] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Rewards", "Credits", "Calculations"])
def test_expand_the_plan(odata, world, name, django_assert_num_queries):
    with django_assert_num_queries(3):  # key with its workspace and membership, last-used, page
        body = odata.json(name, {"$expand": "Plan", "$filter": "PlanId ne null"})
    assert body["value"]
    for row in body["value"]:
        assert row["Plan"]["Id"] == world["plan"].pk and row["Plan"]["Name"] == "Q1 Accelerator"
        assert row["Plan"]["PeriodStart"] == "2026-01-01" and row["Plan"]["CommissionRate"] == 7.5
        assert "BeneficiaryCount" not in row["Plan"]  # an annotation of the Plans set, not a column


@pytest.mark.django_db
def test_expand_several_and_null_navigation(odata, world):
    rows = odata.json("Rewards", {"$expand": "Plan,User,Calculation", "$orderby": "Amount"})["value"]
    by_amount = {row["Amount"]: row for row in rows}
    assert by_amount[500]["Plan"] is None and by_amount[500]["Calculation"] is None
    assert by_amount[500]["User"] == {"Id": world["rep"].pk, "Email": "rep@acme.test", "FullName": "Rita Rep"}
    assert by_amount[92.59]["Calculation"]["Name"] == "Q1 run"
    credit = odata.json(f"Credits({world['credit'].pk})", {"$expand": "Transaction,Team"})
    assert credit["Transaction"]["ExternalId"] == "TX-1" and credit["Team"] is None


@pytest.mark.django_db
def test_enrollments_include_reset_ones_marked(odata, world):
    rows = odata.json("Enrollments", {"$orderby": "EnrolledAt"})["value"]
    assert [r["IsReset"] for r in rows] == [True, False]
    assert rows[0]["ResetAt"] == "2026-02-01T00:00:00Z" and rows[0]["ResetBatchId"] is not None
    assert rows[1]["ResetAt"] is None and rows[1]["Signature"] == "Rita Rep"
    current = odata.json("Enrollments", {"$filter": "IsReset eq false", "$expand": "Plan,User"})["value"]
    assert [r["Id"] for r in current] == [world["current"].pk]
    assert current[0]["User"]["Email"] == "rep@acme.test" and current[0]["Plan"]["Name"] == "Q1 Accelerator"


@pytest.mark.django_db
def test_metadata_types_of_the_plan_sets(odata, world):
    root = ET.fromstring(odata.get("$metadata").content)  # noqa: S314 - our own test server's document

    def prop(entity, name):
        return root.find(f".//edm:EntityType[@Name='{entity}']/edm:Property[@Name='{name}']", NS).attrib

    assert prop("Reward", "Amount") == {
        "Name": "Amount",
        "Type": "Edm.Decimal",
        "Nullable": "false",
        "Precision": "14",
        "Scale": "2",
    }
    assert prop("Reward", "PlanId")["Nullable"] == "true"
    assert prop("Plan", "PeriodStart")["Type"] == "Edm.Date"
    assert prop("Plan", "Name")["MaxLength"] == "200"
    assert prop("Plan", "CommissionRate")["Scale"] == "3"
    assert prop("Enrollment", "EnrolledAt")["Type"] == "Edm.DateTimeOffset"
    assert prop("Enrollment", "IsReset")["Type"] == "Edm.Boolean"
    nav = root.find(".//edm:EntityType[@Name='Reward']/edm:NavigationProperty[@Name='Plan']", NS)
    assert nav.get("Type") == "Portal.Plan"
    assert nav.find("edm:ReferentialConstraint", NS).attrib == {"Property": "PlanId", "ReferencedProperty": "Id"}
    binding = root.find(".//edm:EntitySet[@Name='Rewards']/edm:NavigationPropertyBinding[@Path='Plan']", NS)
    assert binding.get("Target") == "Plans"


@pytest.mark.django_db
def test_rewards_query_count_is_the_same_at_n_and_3n(odata, tenant, world, django_assert_num_queries):
    def fill(n):
        RewardFactory.create_batch(n, plan=world["plan"], user=world["rep"], amount=Decimal("1.00"))

    params = {"$expand": "Plan,User,Calculation", "$count": "true", "$filter": "Amount gt 0", "$top": "500"}
    fill(20)
    odata.json("Rewards", params)  # stamps the key's last use (at most once a minute)
    with django_assert_num_queries(3):  # key with its workspace and membership, count, page
        small = odata.json("Rewards", params)
    fill(40)
    with django_assert_num_queries(3):
        large = odata.json("Rewards", params)
    assert large["@odata.count"] == small["@odata.count"] + 40


@pytest.mark.django_db
def test_enrollments_show_an_undone_reset_as_current_with_the_undo(odata, world, admin_member):
    from enrollments.services import undo_reset_enrollments

    world["current"].delete()  # the rep has not enrolled again: the reset acceptance comes back
    batch = world["old"].reset_batch
    assert undo_reset_enrollments(batch, actor=admin_member.user).restored == 1
    rows = odata.json("Enrollments", {"$filter": "IsReset eq false"})["value"]
    assert [r["Id"] for r in rows] == [world["old"].pk]
    assert rows[0]["ResetAt"] is None and rows[0]["ResetBatchId"] is None
    assert rows[0]["RestoredAt"].startswith("2026-11-23T17:")  # the suite's clock, ticking
    assert rows[0]["RestoredFromResetId"] == batch.pk
