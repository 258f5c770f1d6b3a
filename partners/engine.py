"""The progress engine: criterion values straight from the database, then the percentages.

Values (``criterion_values``)
    For each criterion and enrollment, the records of the criterion's source (opportunities,
    leads or course assignments) that
      * belong to the enrolled partner account,
      * the enrollment's primary partner user can see (they own the record — for course
        assignments: it is assigned to them — or they are a partner admin of that account),
      * have the criterion's attainment date field within [enrollment date, expiration date]
        (both inclusive),
      * match the kind's implicit condition (closed deals: stage Closed Won; approved
        registrations: status Approved; certifications: completed) and the criterion's filter,
    are counted, or for revenue their rollup field is summed after conversion to the program
    currency at the rate of the record's attainment date (the latest rate of the pair dated on
    or before it; a record in a currency with no such rate is left out). Custom criteria are 1
    when verified as met for the enrollment, else 0.

    It is one query for all measured criteria: the enrollments, each criterion one correlated
    ``SUM``/``COUNT`` over that enrollment's records (an index range scan on account and date).
    The same query serves one enrollment (restricted by id) and a whole program (set-based, in
    the database, not one enrollment at a time); the number of queries never depends on the
    number of records.

Percentages (``evaluate``)
    Let ``T`` be the next tier (the tier after the enrollment's current tier) and ``t_c`` the
    threshold of criterion ``c`` at ``T`` (no threshold = 0).
      * criterion percent  p_c = min(100, 100 × value_c / t_c); a criterion with t_c = 0 is not
        required at T and counts as 100 but is left out of the mean;
      * enrollment percent P = the arithmetic mean of p_c over the criteria required at T
        (100 when none is required).
    Both are floored to one decimal (never rounded up), so 100% means every required criterion
    is met. The headline "NN% to <T>" shows P floored to a whole percent. At the top tier there
    is no T and no percent. Examples (the seed's): revenue 125,000 against Scale's 500,000 is
    25%; 15 registrations against Scale's 25 is 60%; revenue 100%, registrations 90% (9 of 10)
    and certifications 100% toward Build give P = 96.6% ("96% to Build"), and the partner does
    not qualify for Build.

    A criterion meets a tier when value >= that tier's threshold. The qualifying tier is the
    highest tier such that every criterion meets it and every tier below it (informational:
    tiers are only ever changed by hand).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.lookups import Exact

from .criteria import KINDS, conditions_q
from .models import CourseAssignment, CurrencyRate, CustomCriterionStatus, Lead, Opportunity, PartnerEnrollment

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")


# Where each criterion source's records live, and their partner account column.
SOURCES = {
    "opportunity": (Opportunity, "account_id"),
    "lead": (Lead, "account_id"),
    "course": (CourseAssignment, "partner_user__account_id"),
}


def rate_subquery(tenant_id: int, to_currency: str, date_field: str):
    return Subquery(
        CurrencyRate.objects.filter(
            tenant_id=tenant_id,
            from_currency=OuterRef("currency"),
            to_currency=to_currency,
            date__lte=OuterRef(date_field),
        )
        .order_by("-date")
        .values("rate")[:1]
    )


def _aggregate(criterion, program, date_field: str):
    """COUNT of the records, or SUM of the rollup field converted to the program currency."""
    spec = KINDS[criterion.kind]
    if not spec.rollup_fields:
        return Count("pk")
    money = DecimalField(max_digits=30, decimal_places=10)
    field = criterion.rollup_field or spec.rollup_fields[0]
    converted = Case(
        When(currency=program.currency, then=F(field)),
        default=ExpressionWrapper(
            F(field) * rate_subquery(program.tenant_id, program.currency, date_field), output_field=money
        ),
        output_field=money,
    )
    return Sum(converted, output_field=money)


def records_for_enrollment(source_name: str, *, tenant_id: int, date_field: str):
    """Records of one source that count for the enrollment of the outer query (``OuterRef``):
    of its account, visible to its primary partner user (owned by them, or all of the account's
    if they are a partner admin of that account), attainment date within its period."""
    model, account = SOURCES[source_name]
    if source_name == "course":
        owner = Q(partner_user_id=OuterRef("primary_partner_user_id"))
    else:
        owner = Q(owner_id=OuterRef("primary_partner_user__user_id"))
    return model.objects.filter(
        Q(tenant_id=tenant_id),
        Q(**{account: OuterRef("account_id")}),
        Q(**{account: OuterRef("primary_partner_user__account_id")}),
        Q(Exact(OuterRef("primary_partner_user__is_partner_admin"), True)) | owner,
        Q(**{f"{date_field}__gte": OuterRef("enrollment_date"), f"{date_field}__lte": OuterRef("expiration_date")}),
    )


def criterion_subquery(criterion, program):
    """The criterion's value for the enrollment of the outer query: one correlated aggregate
    over that enrollment's records (an index range scan on account and date)."""
    spec = KINDS[criterion.kind]
    date_field = criterion.attainment_date_field or spec.date_fields[0]
    records = records_for_enrollment(spec.source, tenant_id=program.tenant_id, date_field=date_field).filter(
        conditions_q(criterion.kind, criterion.conditions)
    )
    group = SOURCES[spec.source][1]
    return Subquery(records.order_by().values(group).annotate(v=_aggregate(criterion, program, date_field)).values("v"))


def criterion_values(*, program, criteria, enrollment_ids=None) -> dict[int, dict[int, Decimal]]:
    """{enrollment id: {criterion id: value}} for the measured criteria (custom ones included).

    One query for every measured criterion: the enrollments with one correlated aggregate per
    criterion; custom criteria read their verified statuses. Zero values are absent."""
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    measured = [c for c in criteria if KINDS[c.kind].source is not None]
    customs = [c.id for c in criteria if KINDS[c.kind].source is None]
    if measured:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # The planner's cost of N correlated aggregates crosses jit_above_cost, and compiling
            # the query then takes longer than running it (2 s of 4 s at 10,000 enrollments).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        enrollments = PartnerEnrollment.objects.filter(tenant_id=program.tenant_id, program_id=program.id)
        if enrollment_ids is not None:
            enrollments = enrollments.filter(pk__in=list(enrollment_ids))
        rows = (
            enrollments.order_by()
            .annotate(**{f"c{c.id}": criterion_subquery(c, program) for c in measured})
            .values_list("id", *[f"c{c.id}" for c in measured])
        )
        for eid, *cells in rows:
            for c, value in zip(measured, cells, strict=True):
                if value:
                    values[eid][c.id] = Decimal(value).quantize(CENTS)
    if customs:
        met = CustomCriterionStatus.objects.filter(
            tenant_id=program.tenant_id, criterion_id__in=customs, met=True, enrollment__program_id=program.id
        )
        if enrollment_ids is not None:
            met = met.filter(enrollment_id__in=list(enrollment_ids))
        for eid, cid in met.values_list("enrollment_id", "criterion_id"):
            values[eid][cid] = Decimal(1)
    return values


def floor1(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_DOWN)


def criterion_ratio(value: Decimal, threshold: Decimal | None) -> Decimal:
    """Unrounded percent of ``threshold`` reached, capped at 100 (threshold 0/None: 100)."""
    if not threshold or threshold <= 0:
        return HUNDRED
    return min(HUNDRED, Decimal(value) * HUNDRED / Decimal(threshold))


@dataclass
class CriterionOutcome:
    criterion_id: int
    value: Decimal
    met_tier_ids: list[int]
    percent: Decimal | None
    required: bool


@dataclass
class Outcome:
    percent: Decimal | None
    next_tier_id: int | None
    qualifying_tier_id: int | None
    criteria: list[CriterionOutcome]


def evaluate(*, tiers, current_tier_id: int, criteria, thresholds, values: dict[int, Decimal]) -> Outcome:
    """Percentages and tier flags of one enrollment (the formulas in this module's docstring).

    ``tiers`` in order; ``thresholds`` {(criterion id, tier id): Decimal}; ``values``
    {criterion id: value}."""
    order = [t.id for t in tiers]
    idx = order.index(current_tier_id) if current_tier_id in order else -1
    next_tier_id = order[idx + 1] if 0 <= idx + 1 < len(order) else None
    if idx == -1:
        next_tier_id = order[0] if order else None
    outcomes, ratios = [], []
    qualifying = None
    met_by_tier = {tid: True for tid in order}
    for c in criteria:
        value = values.get(c.id, Decimal(0))
        met = [tid for tid in order if value >= thresholds.get((c.id, tid), Decimal(0))]
        for tid in order:
            if tid not in met:
                met_by_tier[tid] = False
        percent, required = None, False
        if next_tier_id is not None:
            threshold = thresholds.get((c.id, next_tier_id), Decimal(0))
            required = threshold > 0
            ratio = criterion_ratio(value, threshold)
            percent = floor1(ratio)
            if required:
                ratios.append(ratio)
        outcomes.append(CriterionOutcome(c.id, value, met, percent, required))
    for tid in order:
        if not met_by_tier[tid]:
            break
        qualifying = tid
    overall = None
    if next_tier_id is not None:
        overall = floor1(sum(ratios, Decimal(0)) / len(ratios)) if ratios else HUNDRED
    return Outcome(overall, next_tier_id, qualifying, outcomes)


def progress_toward(*, thresholds: list, values: list) -> tuple[Decimal, list[Decimal | None]]:
    """Progress toward one tier from values already computed (the formulas above): per criterion
    floor(min(100, 100 × value / threshold)) or None when the tier asks nothing of it, and the
    floored mean over the criteria it asks. ``thresholds`` and ``values`` are parallel lists."""
    ratios, percents = [], []
    for threshold, value in zip(thresholds, values, strict=True):
        if threshold is None or threshold <= 0:
            percents.append(None)
            continue
        ratio = criterion_ratio(value, threshold)
        ratios.append(ratio)
        percents.append(floor1(ratio))
    overall = floor1(sum(ratios, Decimal(0)) / len(ratios)) if ratios else HUNDRED
    return overall, percents


def criterion_date_field(criterion) -> str:
    return criterion.attainment_date_field or KINDS[criterion.kind].date_fields[0]
