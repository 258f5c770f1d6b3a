"""One enrollment's records, spelled out: why each counts or not (the drill-down), which lack a
rate (the missing-rate notice) and what the values would be with unsaved changes (the Edit
preview). The rules are those of the set-based engine (partners.engine), applied to one
enrollment; aggregates convert currencies per (currency, date) group (partners.rates), so their
cost does not grow with a correlated rate lookup per record.
"""

from decimal import Decimal

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When

from common.money import CENT
from common.planner import groups_by_hash

from .criteria import KINDS, conditions_q
from .engine import SOURCES, criterion_date_field, rate_subquery
from .rates import convert_groups

MONEY = DecimalField(max_digits=30, decimal_places=10)

# Why a record of the enrolled account counts or not, in the order the rules apply.
COUNTED = "counted"
REASONS = {
    COUNTED: "Counted",
    "hidden": "Not visible to the primary partner user",
    "period": "Outside the enrollment period (by the attainment date field)",
    "filter": "Filtered out by the criterion filter",
    "rate": "No exchange rate on its date",
}


def account_records(criterion, enrollment):
    """Every record of the criterion's source of the enrolled account (before any rule)."""
    model, account = SOURCES[KINDS[criterion.kind].source]
    return model.objects.filter(tenant_id=enrollment.tenant_id, **{account: enrollment.account_id})


def visible_q(criterion, enrollment) -> Q:
    """The records the primary partner user can see (the rule of ``records_for_enrollment``)."""
    source = KINDS[criterion.kind].source
    pu = enrollment.primary_partner_user
    if pu.account_id != enrollment.account_id:
        return Q(pk__in=[])
    if pu.is_partner_admin:
        return Q()
    return Q(partner_user_id=pu.pk) if source == "course" else Q(owner_id=pu.user_id)


def period_q(criterion, enrollment) -> Q:
    field = criterion_date_field(criterion)
    return Q(**{f"{field}__gte": enrollment.enrollment_date, f"{field}__lte": enrollment.expiration_date})


def with_rate(queryset, criterion, program):
    """Opportunities annotated with ``rate``: 1 in the program currency, the rate of their
    attainment date otherwise (None when there is none: the record is not counted). For the
    rows of one page; aggregates use ``convert_groups``."""
    return queryset.annotate(
        rate=Case(
            When(currency=program.currency, then=Value(Decimal(1), output_field=MONEY)),
            default=rate_subquery(program.tenant_id, program.currency, criterion_date_field(criterion)),
            output_field=MONEY,
        )
    )


def candidate_records(criterion, enrollment):
    """The records that count before currency conversion: visible, in the period, matching the
    filter (for revenue, those with a rate on their date then count)."""
    return account_records(criterion, enrollment).filter(
        visible_q(criterion, enrollment),
        period_q(criterion, enrollment),
        conditions_q(criterion.kind, criterion.conditions),
    )


def _converted(criterion, enrollment, queryset, *extra):
    """(group, rate) over ``queryset`` grouped by currency, attainment date and ``extra``, each
    group with ``n`` records and their rollup ``amount``. One query, plus one for the rates."""
    spec = KINDS[criterion.kind]
    date_field = criterion_date_field(criterion)
    groups = list(
        groups_by_hash(
            queryset.order_by()
            .values(*extra, "currency", date_field)
            .annotate(n=Count("pk"), amount=Sum(criterion.rollup_field or spec.rollup_fields[0]))
        )
    )
    return convert_groups(
        groups, tenant_id=enrollment.tenant_id, to_currency=enrollment.program.currency, date_field=date_field
    )


def missing_rates(criterion, enrollment) -> list[dict]:
    """Deals that would count for a revenue criterion but have no rate on their date, per
    currency: [{"currency", "count", "first", "last"}]."""
    if not KINDS[criterion.kind].rollup_fields:
        return []
    date_field = criterion_date_field(criterion)
    missing: dict[str, dict] = {}
    for g, rate in _converted(criterion, enrollment, candidate_records(criterion, enrollment)):
        if rate is not None:
            continue
        day = g[date_field]
        m = missing.setdefault(g["currency"], {"currency": g["currency"], "count": 0, "first": day, "last": day})
        m["count"] += g["n"]
        if day is not None:
            m["first"] = day if m["first"] is None else min(m["first"], day)
            m["last"] = day if m["last"] is None else max(m["last"], day)
    return [missing[c] for c in sorted(missing)]


def _reason(criterion, enrollment):
    """The first rule a record fails (hidden, period, filter), else COUNTED: before the rate."""
    pu = enrollment.primary_partner_user
    whens = []
    if pu.account_id != enrollment.account_id:
        whens.append(When(pk__isnull=False, then=Value("hidden")))
    elif not pu.is_partner_admin:
        whens.append(When(~visible_q(criterion, enrollment), then=Value("hidden")))
    whens.append(When(~period_q(criterion, enrollment), then=Value("period")))
    conditions = conditions_q(criterion.kind, criterion.conditions)
    if conditions:
        whens.append(When(~conditions, then=Value("filter")))
    return whens


def explained_records(criterion, enrollment):
    """Every record of the enrolled account for the criterion's source, annotated with
    ``reason`` (a key of REASONS: the first rule it fails, or "counted"), ``converted_value``
    (1 for a count, the rollup converted to the program currency for revenue; None without a
    rate) and ``counted_value`` (the same, None when it is not counted). The counted ones make
    the criterion's value. For the rows of one page: the rate is looked up per row."""
    spec = KINDS[criterion.kind]
    qs = account_records(criterion, enrollment)
    whens = _reason(criterion, enrollment)
    if spec.rollup_fields:
        qs = with_rate(qs, criterion, enrollment.program)
        whens.append(When(rate__isnull=True, then=Value("rate")))
        field = criterion.rollup_field or spec.rollup_fields[0]
        amount = ExpressionWrapper(F(field) * F("rate"), output_field=MONEY)
    else:
        amount = Value(Decimal(1), output_field=MONEY)
    qs = qs.annotate(reason=Case(*whens, default=Value(COUNTED)), converted_value=amount)
    return qs.annotate(
        counted_value=Case(
            When(reason=COUNTED, then=amount), default=Value(None, output_field=MONEY), output_field=MONEY
        )
    )


def reason_totals(criterion, enrollment) -> dict[str, dict]:
    """{reason: {"count", "total"}} over the enrolled account's records: how many records each
    reason holds and their sum in the criterion's unit (revenue converted to the program
    currency, None where no record of the reason has a rate). The same figures as summing
    ``explained_records``, in one grouped query (and one for the rates)."""
    qs = account_records(criterion, enrollment).annotate(
        reason=Case(*_reason(criterion, enrollment), default=Value(COUNTED))
    )
    if not KINDS[criterion.kind].rollup_fields:
        rows = qs.order_by().values("reason").annotate(n=Count("pk"))
        return {r["reason"]: {"count": r["n"], "total": Decimal(r["n"])} for r in rows}
    totals: dict[str, dict] = {}
    for g, rate in _converted(criterion, enrollment, qs, "reason"):
        reason = "rate" if g["reason"] == COUNTED and rate is None else g["reason"]
        t = totals.setdefault(reason, {"count": 0, "total": None})
        t["count"] += g["n"]
        if rate is not None and g["amount"] is not None:
            t["total"] = (t["total"] or Decimal(0)) + g["amount"] * rate
    return totals


def values_for(criteria, enrollment, *, custom: dict[int, bool]) -> dict[int, Decimal]:
    """{criterion id: value} for one enrollment as it stands in memory, unsaved (the Edit
    dialog's preview): per measured criterion one grouped query over the records that would
    count, and the custom marks given. Nothing is written."""
    values = {}
    for c in criteria:
        spec = KINDS[c.kind]
        if spec.source is None:
            values[c.id] = Decimal(1) if custom.get(c.id) else Decimal(0)
            continue
        records = candidate_records(c, enrollment)
        if spec.rollup_fields:
            total = sum(
                (
                    g["amount"] * rate
                    for g, rate in _converted(c, enrollment, records)
                    if rate is not None and g["amount"]
                ),
                Decimal(0),
            )
        else:
            total = records.count()
        values[c.id] = Decimal(total).quantize(CENT)
    return values
