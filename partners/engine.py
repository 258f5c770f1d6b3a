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

    It is one grouped aggregate query per (source, attainment date field) of the program's
    criteria, each criterion one ``SUM``/``COUNT ... FILTER`` of it, joined to the enrollments
    and grouped by enrollment: the same query serves one enrollment (restricted by id) and a
    whole program. The number of queries never depends on the number of records.

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

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, When

from .criteria import KINDS, conditions_q
from .models import CourseAssignment, CurrencyRate, CustomCriterionStatus, Lead, Opportunity

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Source:
    model: type
    path: str  # from the record to the enrollment
    owner_q: str  # "owner" column of the record, compared with the primary partner user
    owner_ref: str  # the primary partner user's column it is compared with
    account_field: str  # the record's partner account column


SOURCES = {
    "opportunity": Source(
        Opportunity, "account__enrollments", "owner_id", "primary_partner_user__user_id", "account_id"
    ),
    "lead": Source(Lead, "account__enrollments", "owner_id", "primary_partner_user__user_id", "account_id"),
    "course": Source(
        CourseAssignment,
        "partner_user__account__enrollments",
        "partner_user_id",
        "primary_partner_user_id",
        "partner_user__account_id",
    ),
}


def _rate(tenant_id: int, to_currency: str, date_field: str):
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
    spec = KINDS[criterion.kind]
    condition = conditions_q(criterion.kind, criterion.conditions)
    flt = condition if condition else None
    if not spec.rollup_fields:
        return Count("pk", filter=flt)
    money = DecimalField(max_digits=30, decimal_places=10)
    field = criterion.rollup_field or spec.rollup_fields[0]
    converted = Case(
        When(currency=program.currency, then=F(field)),
        default=ExpressionWrapper(
            F(field) * _rate(program.tenant_id, program.currency, date_field), output_field=money
        ),
        output_field=money,
    )
    return Sum(converted, filter=flt, output_field=money)


def source_queryset(source_name: str, *, program, date_field: str, enrollment_ids=None):
    """Records of one source joined to the program's enrollments they count for (before the
    criterion conditions): the visibility rule and the enrollment period, in one filter call so
    that every condition uses the same join to the enrollment."""
    src = SOURCES[source_name]
    p = src.path
    pu = f"{p}__primary_partner_user"
    terms = [
        Q(tenant_id=program.tenant_id),
        Q(**{f"{p}__program_id": program.id}),
        Q(**{f"{pu}__account_id": F(src.account_field)}),
        Q(**{f"{pu}__is_partner_admin": True}) | Q(**{src.owner_q: F(f"{p}__{src.owner_ref}")}),
        Q(**{f"{date_field}__gte": F(f"{p}__enrollment_date"), f"{date_field}__lte": F(f"{p}__expiration_date")}),
    ]
    if enrollment_ids is not None:
        terms.append(Q(**{f"{p}__id__in": list(enrollment_ids)}))
    return src.model.objects.filter(*terms)


def criterion_values(*, program, criteria, enrollment_ids=None) -> dict[int, dict[int, Decimal]]:
    """{enrollment id: {criterion id: value}} for the measured criteria (custom ones included).

    Enrollments or criteria with nothing to count are absent (the value is 0)."""
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    customs = []
    for criterion in criteria:
        spec = KINDS[criterion.kind]
        if spec.source is None:
            customs.append(criterion.id)
        else:
            groups[(spec.source, criterion.attainment_date_field or spec.date_fields[0])].append(criterion)
    for (source_name, date_field), group in groups.items():
        path = SOURCES[source_name].path
        qs = (
            source_queryset(source_name, program=program, date_field=date_field, enrollment_ids=enrollment_ids)
            .values(eid=F(f"{path}__id"))
            .annotate(**{f"c{c.id}": _aggregate(c, program, date_field) for c in group})
            .order_by()
        )
        for row in qs:
            for c in group:
                value = row[f"c{c.id}"]
                if value:
                    values[row["eid"]][c.id] = Decimal(value).quantize(CENTS)
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
