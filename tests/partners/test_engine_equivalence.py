"""The set-based engine (one grouped statement per source and date field, the period and the
visibility in the join) gives the very values of the per-enrollment reading of the rules (the
Edit preview's ``values_for``), for every criterion kind, filter, date field and visibility,
whatever the records (generated); and ``Evaluator`` gives the percentages of the formulas."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.engine import Cells, Evaluator, criterion_values
from partners.explain import values_for
from partners.models import CourseAssignment, CriterionKind, CurrencyRate, Lead, Opportunity
from tests.partners.factories import (
    END,
    START,
    CriterionFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    PartnerUserFactory,
)

pytestmark = pytest.mark.django_db

DAYS = sorted({START + dt.timedelta(days=d) for d in (-40, -1, 0, 1, 20)} | {END - dt.timedelta(days=1), END})
days = st.sampled_from(DAYS)
maybe_days = st.one_of(st.none(), days)
money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
# Indices into the scene's accounts (3) and people (each account's two users, and nobody).
opportunity = st.fixed_dictionaries(
    {
        "account": st.integers(0, 2),
        "owner": st.integers(0, 6),
        "amount": money,
        "expected_revenue": money,
        "currency": st.sampled_from(["USD", "EUR", "GBP"]),
        "stage": st.sampled_from(["closed_won", "negotiation", "prospecting"]),
        "close_date": days,
        "created_date": days,
    }
)
lead = st.fixed_dictionaries(
    {
        "account": st.integers(0, 2),
        "owner": st.integers(0, 6),
        "status": st.sampled_from(["approved", "submitted"]),
        "approval_date": maybe_days,
        "created_date": days,
    }
)
course = st.fixed_dictionaries(
    {"user": st.integers(0, 5), "course_name": st.sampled_from(["Sales 101", "=Advanced"]), "completed": maybe_days}
)


@pytest.fixture
def world(tenant):
    program = PartnerProgramFactory(tenant=tenant)
    kinds = [
        (
            "Revenue won",
            CriterionKind.REVENUE,
            "amount",
            "close_date",
            [{"field": "stage", "op": "=", "value": "closed_won"}],
        ),
        ("Pipeline", CriterionKind.REVENUE, "expected_revenue", "created_date", []),
        (
            "Big deals",
            CriterionKind.CLOSED_DEALS,
            "",
            "close_date",
            [{"field": "amount", "op": ">=", "value": "500000"}],
        ),
        ("Registrations", CriterionKind.APPROVED_REGISTRATIONS, "", "approval_date", []),
        ("Registered", CriterionKind.REGISTERED_DEALS, "", "created_date", []),
        ("Certifications", CriterionKind.CERTIFICATIONS, "", "completed_date", []),
        (
            "Advanced",
            CriterionKind.CERTIFICATIONS,
            "",
            "completed_date",
            [{"field": "course_name", "op": "contains", "value": "adv"}],
        ),
    ]
    criteria = [
        CriterionFactory(
            program=program, name=n, kind=k, rollup_field=r, attainment_date_field=d, conditions=c, position=i
        )
        for i, (n, k, r, d, c) in enumerate(kinds)
    ]
    # Three enrolled accounts: a partner admin, a plain partner user, and one whose primary user
    # is a plain user too; each account has a second user whose records only an admin sees.
    enrollments = [
        PartnerEnrollmentFactory(program=program, primary_partner_user__is_partner_admin=admin)
        for admin in (True, False, False)
    ]
    partner_users = []
    for e in enrollments:
        partner_users += [e.primary_partner_user, PartnerUserFactory(account=e.account, tenant=tenant)]
    CurrencyRate.objects.create(tenant=tenant, from_currency="EUR", to_currency="USD", date=START, rate="1.1")
    return program, criteria, enrollments, partner_users


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    opportunities=st.lists(opportunity, max_size=20),
    leads=st.lists(lead, max_size=12),
    courses=st.lists(course, max_size=8),
)
def test_set_based_values_equal_the_per_enrollment_rules(tenant, world, opportunities, leads, courses):
    program, criteria, enrollments, partner_users = world
    for model in (Opportunity, Lead, CourseAssignment):
        model.objects.filter(tenant=tenant).delete()
    accounts = [e.account for e in enrollments]
    people = [pu.user for pu in partner_users] + [None]
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                tenant=tenant, name=f"Deal {i}", **{**o, "account": accounts[o["account"]], "owner": people[o["owner"]]}
            )
            for i, o in enumerate(opportunities)
        ]
    )
    Lead.objects.bulk_create(
        [
            Lead(
                tenant=tenant,
                company=f"Prospect {i}",
                **{**x, "account": accounts[x["account"]], "owner": people[x["owner"]]},
            )
            for i, x in enumerate(leads)
        ]
    )
    CourseAssignment.objects.bulk_create(
        [
            CourseAssignment(
                tenant=tenant,
                partner_user=partner_users[c["user"]],
                course_name=c["course_name"],
                completed_date=c["completed"],
            )
            for c in courses
        ]
    )
    got = criterion_values(program=program, criteria=criteria)
    one = criterion_values(program=program, criteria=criteria, enrollment_ids=[enrollments[1].pk])
    for e in enrollments:
        expected = {cid: v for cid, v in values_for(criteria, e, custom={}).items() if v}
        assert dict(got.get(e.pk, {})) == expected, e
    assert dict(one) == ({enrollments[1].pk: got[enrollments[1].pk]} if enrollments[1].pk in got else {})


def _reference(order, current, thresholds, values):
    """The module docstring's formulas, spelled out as plainly as possible."""
    nxt = (
        (order[0] if order else None)
        if current not in order
        else (order[order.index(current) + 1] if order.index(current) + 1 < len(order) else None)
    )
    percents, ratios = {}, []
    for cid, value in values.items():
        if nxt is None:
            percents[cid] = None
            continue
        t = thresholds[(cid, nxt)]
        ratio = Decimal(100) if t <= 0 else min(Decimal(100), value * 100 / t)
        percents[cid] = ratio.quantize(Decimal("0.1"), rounding=ROUND_DOWN)
        if t > 0:
            ratios.append(ratio)
    qualifying = None
    for tid in order:
        if not all(values[c] >= thresholds[(c, tid)] for c in values):
            break
        qualifying = tid
    overall = None
    if nxt is not None:
        overall = (sum(ratios) / len(ratios)).quantize(Decimal("0.1"), rounding=ROUND_DOWN) if ratios else Decimal(100)
    return overall, nxt, qualifying, percents


class _Tier:
    def __init__(self, pk):
        self.id = pk


class _Criterion:
    def __init__(self, pk):
        self.id = pk


amounts = st.integers(0, 30).map(Decimal) | st.decimals(min_value=0, max_value=2000, places=2)


@settings(max_examples=200, deadline=None)
@given(
    n_tiers=st.integers(0, 4),
    thresholds=st.lists(st.lists(amounts, min_size=4, max_size=4), min_size=3, max_size=3),
    values=st.lists(st.lists(amounts, min_size=3, max_size=3), min_size=1, max_size=6),
    current=st.integers(0, 5),
)
def test_evaluator_gives_the_formulas(n_tiers, thresholds, values, current):
    order = list(range(1, n_tiers + 1))
    table = {(c + 1, t): thresholds[c][t - 1] for c in range(3) for t in order}
    evaluator = Evaluator(
        tiers=[_Tier(t) for t in order], criteria=[_Criterion(c) for c in (1, 2, 3)], thresholds=table
    )
    for row in values:  # several enrollments through one evaluator: its memo must not leak
        vals = {c + 1: v for c, v in enumerate(row)}
        out = evaluator.outcome(current, vals)
        overall, nxt, qualifying, percents = _reference(order, current, table, vals)
        assert (out.percent, out.next_tier_id, out.qualifying_tier_id) == (overall, nxt, qualifying)
        assert {co.criterion_id: co.percent for co in out.criteria} == percents
        assert {co.criterion_id: co.met_tier_ids for co in out.criteria} == {
            c: [t for t in order if v >= table[(c, t)]] for c, v in vals.items()
        }


raw_cells = st.one_of(
    st.none(),
    st.integers(0, 40),
    st.floats(min_value=0, max_value=3000, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=3000, places=4, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=200, deadline=None)
@given(
    n_tiers=st.integers(0, 4),
    thresholds=st.lists(st.lists(amounts, min_size=4, max_size=4), min_size=3, max_size=3),
    rows=st.lists(st.one_of(st.none(), st.lists(raw_cells, min_size=3, max_size=3)), min_size=1, max_size=6),
    current=st.integers(0, 5),
)
def test_the_outcome_of_raw_cells_is_the_outcome_of_their_values(n_tiers, thresholds, rows, current):
    """A recalculation evaluates the values as the database hands them (ints, floats, decimals,
    None): the same outcome as of the converted values (``Cells.values``), memo or not."""
    order = list(range(1, n_tiers + 1))
    table = {(c + 1, t): thresholds[c][t - 1] for c in range(3) for t in order}
    criteria = [_Criterion(c) for c in (1, 2, 3)]
    evaluator = Evaluator(tiers=[_Tier(t) for t in order], criteria=criteria, thresholds=table)
    cells = Cells(criterion_ids=[1, 2, 3], rows={})
    for eid, row in enumerate(rows):
        if row is not None:
            cells.rows[eid] = row
        got = evaluator.outcome_of_cells(current, row)
        expected = evaluator.outcome(current, cells.values(eid))
        assert got == expected
        assert [co.value for co in got.criteria] == [cells.values(eid).get(c, 0) for c in (1, 2, 3)]
