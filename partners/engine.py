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

    It is one grouped statement per (source, attainment date field): the enrollments joined to
    their records with the period and visibility as join conditions, GROUP BY enrollment, each
    criterion of that source one aggregate FILTERed by its conditions. The same statements serve
    one enrollment (restricted by id) and a whole program (set-based, in the database, not one
    enrollment at a time); the number of queries never depends on the number of records.

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

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from decimal import Context as DecimalContext
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import OuterRef, Subquery

from common.money import CENT

from .criteria import KINDS, conditions_q
from .models import (
    CourseAssignment,
    CurrencyRate,
    CustomCriterionStatus,
    Lead,
    Opportunity,
    PartnerEnrollment,
    PartnerUser,
)

# Part of every enrollment's inputs digest: a change to the formulas below must change it, so
# that the next recalculation evaluates every enrollment again instead of trusting the digests.
FORMULAS_VERSION = 1

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


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


def _qn(model, name: str) -> str:
    """The quoted column of a field (names from the model's metadata, never from input)."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _conditions_sql(model, criterion) -> tuple[str, list] | None:
    """The criterion's implicit condition and filter as SQL over the source table (unaliased),
    compiled by Django from the same Q as everywhere else; "" when there is none, None when
    nothing can match."""
    query = model.objects.filter(conditions_q(criterion.kind, criterion.conditions)).query
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "", []
    return sql, list(params)


def _records_join(source: str, date_field: str) -> str:
    """FROM the enrollments joined to the records that count for them: of the enrolled
    account, visible to the primary partner user (owned by them — for course assignments,
    assigned to them — or all of the account's if they are a partner admin of that account),
    attainment date within [enrollment date, expiration date]. The period and visibility are
    join conditions, so one grouped statement computes every enrollment at once."""
    enr, pu = PartnerEnrollment, PartnerUser
    model = SOURCES[source][0]
    rec = _table(model)
    date = f"{rec}.{_qn(model, date_field)}"
    head = (
        f"FROM {_table(enr)} e JOIN {_table(pu)} pu ON pu.{_qn(pu, 'id')} = e.{_qn(enr, 'primary_partner_user')} "
        f"AND pu.{_qn(pu, 'account')} = e.{_qn(enr, 'account')} "
    )
    period = f"{date} >= e.{_qn(enr, 'enrollment_date')} AND {date} <= e.{_qn(enr, 'expiration_date')}"
    admin = f"pu.{_qn(pu, 'is_partner_admin')}"
    if source == "course":
        return head + (
            f"JOIN {_table(pu)} rpu ON rpu.{_qn(pu, 'account')} = e.{_qn(enr, 'account')} "
            f"AND rpu.{_qn(pu, 'tenant')} = e.{_qn(enr, 'tenant')} "
            f"JOIN {rec} ON {rec}.{_qn(model, 'partner_user')} = rpu.{_qn(pu, 'id')} "
            f"AND {rec}.{_qn(model, 'tenant')} = e.{_qn(enr, 'tenant')} AND {period} "
            f"AND ({admin} OR {rec}.{_qn(model, 'partner_user')} = pu.{_qn(pu, 'id')})"
        )
    return head + (
        f"JOIN {rec} ON {rec}.{_qn(model, 'tenant')} = e.{_qn(enr, 'tenant')} "
        f"AND {rec}.{_qn(model, 'account')} = e.{_qn(enr, 'account')} AND {period} "
        f"AND ({admin} OR {rec}.{_qn(model, 'owner')} = pu.{_qn(pu, 'user')})"
    )


def _aggregate_sql(criterion, program, date_field: str) -> tuple[str, list]:
    """COUNT of the records, or SUM of the rollup field converted to the program currency at
    the latest rate of the pair dated on or before the record's attainment date (none: the
    record adds nothing, as SQL's NULL in a SUM)."""
    spec = KINDS[criterion.kind]
    if not spec.rollup_fields:
        return "COUNT(*)", []
    model, rate = SOURCES[spec.source][0], CurrencyRate
    rec = _table(model)
    field = f"{rec}.{_qn(model, criterion.rollup_field or spec.rollup_fields[0])}"
    currency = f"{rec}.{_qn(model, 'currency')}"
    lookup = (
        f"SELECT r.{_qn(rate, 'rate')} FROM {_table(rate)} r WHERE r.{_qn(rate, 'tenant')} = %s "  # noqa: S608 - names from model meta
        f"AND r.{_qn(rate, 'from_currency')} = {currency} AND r.{_qn(rate, 'to_currency')} = %s "
        f"AND r.{_qn(rate, 'date')} <= {rec}.{_qn(model, date_field)} ORDER BY r.{_qn(rate, 'date')} DESC LIMIT 1"
    )
    sql = f"SUM(CASE WHEN {currency} = %s THEN {field} ELSE {field} * ({lookup}) END)"
    return sql, [program.currency, program.tenant_id, program.currency]


def _group_values(program, source: str, date_field: str, criteria, enrollment_ids) -> list[tuple]:
    """One grouped statement for the criteria of one source and attainment date field: rows of
    (enrollment id, value per criterion), each criterion's aggregate FILTERed by its
    conditions. Enrollments with no record counted are absent.

    When every criterion has a condition, only records one of them counts are read (the
    conditions in the WHERE, each distinct one once); when they all have the same one (revenue
    and count of closed-won deals), the WHERE alone selects their records and no aggregate
    repeats it as a FILTER."""
    model = SOURCES[source][0]
    enr = PartnerEnrollment
    compiled = [(c, _conditions_sql(model, c)) for c in criteria]
    filters = [where for _c, where in compiled if where is not None]  # None: nothing can match
    if not filters:
        return []
    distinct = []
    for where in filters:
        if where not in distinct:  # compared, not hashed: a parameter need not be hashable
            distinct.append(where)
    in_where = all(cond for cond, _ in filters)
    shared = in_where and len(distinct) == 1
    select, select_params = [], []
    for c, where in compiled:
        if where is None:  # the value is 0 for everyone
            select.append("NULL")
            continue
        agg, agg_params = _aggregate_sql(c, program, date_field)
        cond, cond_params = where
        if cond and not shared:
            select.append(f"{agg} FILTER (WHERE {cond})")
            select_params += agg_params + cond_params
        else:
            select.append(agg)
            select_params += agg_params
    where_sql = f"e.{_qn(enr, 'tenant')} = %s AND e.{_qn(enr, 'program')} = %s"
    where_params = [program.tenant_id, program.id]
    if enrollment_ids is not None:
        where_sql += f" AND e.{_qn(enr, 'id')} IN ({', '.join(['%s'] * len(enrollment_ids))})"
        where_params += list(enrollment_ids)
    if in_where:
        where_sql += " AND (" + " OR ".join(f"({cond})" for cond, _ in distinct) + ")"
        where_params += [p for _, params in distinct for p in params]
    sql = (
        f"SELECT e.{_qn(enr, 'id')}, {', '.join(select)} {_records_join(source, date_field)} "  # noqa: S608 - names from model meta, values as parameters
        f"WHERE {where_sql} GROUP BY e.{_qn(enr, 'id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, select_params + where_params)
        return cursor.fetchall()


# SQLite hands sums back as floats; Django's converter for a decimal expression reads them with
# 15 significant digits, and so does the engine (the same figures as the ORM would give).
_FROM_FLOAT = DecimalContext(prec=15).create_decimal_from_float


def _to_decimal(value) -> Decimal:
    return _FROM_FLOAT(value) if isinstance(value, float) else Decimal(value)


@dataclass(slots=True)
class Cells:
    """The measured criteria's values as the database hands them back (ints for counts, floats
    or decimals for sums, None where nothing counted), not converted: a recalculation compares
    them (``Evaluator.digest``) for every enrollment but needs them as decimals only for the
    enrollments it evaluates again (``values``).

    ``rows`` is {enrollment id: one raw value per criterion, in ``criterion_ids`` order}; an
    enrollment with no record counted for any criterion is absent."""

    criterion_ids: list[int]
    rows: dict[int, list]

    def values(self, enrollment_id: int, cache: dict | None = None) -> dict[int, Decimal]:
        """{criterion id: value} of one enrollment, zeros left out, money to the cent. A
        ``cache`` dict shared across calls converts each distinct raw value once (counts
        repeat a lot)."""
        row = self.rows.get(enrollment_id)
        if row is None:
            return {}
        cache = {} if cache is None else cache
        out = {}
        for cid, raw in zip(self.criterion_ids, row, strict=True):
            if raw:
                # Keyed by type too: 5 and 5.0 are equal keys but not the same raw value.
                key = (raw.__class__, raw)
                value = cache.get(key)
                if value is None:
                    value = cache[key] = _to_decimal(raw).quantize(CENT)
                out[cid] = value
        return out


def criterion_cells(*, program, criteria, enrollment_ids=None) -> Cells:
    """The raw values of the criteria (custom ones included) per enrollment: one grouped
    statement per (source, attainment date field) for the measured criteria, whatever the
    number of enrollments and records; custom criteria read their verified statuses (1 when
    met)."""
    index = {c.id: i for i, c in enumerate(criteria)}
    cells = Cells(criterion_ids=[c.id for c in criteria], rows={})
    rows = cells.rows
    width = len(criteria)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    customs = []
    for c in criteria:
        source = KINDS[c.kind].source
        if source is None:
            customs.append(c.id)
        else:
            groups[(source, criterion_date_field(c))].append(c)
    ids = None if enrollment_ids is None else list(enrollment_ids)
    if ids == []:
        return cells
    for (source, date_field), members in groups.items():
        slots = [index[c.id] for c in members]
        for eid, *values in _group_values(program, source, date_field, members, ids):
            row = rows.get(eid)
            if row is None:
                row = rows[eid] = [None] * width
            for slot, value in zip(slots, values, strict=True):
                row[slot] = value
    if customs:
        met = CustomCriterionStatus.objects.filter(
            tenant_id=program.tenant_id, criterion_id__in=customs, met=True, enrollment__program_id=program.id
        )
        if ids is not None:
            met = met.filter(enrollment_id__in=ids)
        for eid, cid in met.values_list("enrollment_id", "criterion_id"):
            row = rows.get(eid)
            if row is None:
                row = rows[eid] = [None] * width
            row[index[cid]] = 1
    return cells


def criterion_values(*, program, criteria, enrollment_ids=None) -> dict[int, dict[int, Decimal]]:
    """{enrollment id: {criterion id: value}} for the measured criteria (custom ones included),
    money to the cent (``criterion_cells`` converted). Zero values are absent."""
    cells = criterion_cells(program=program, criteria=criteria, enrollment_ids=enrollment_ids)
    cache: dict = {}
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for eid in cells.rows:
        converted = cells.values(eid, cache)
        if converted:
            values[eid] = converted
    return values


def floor1(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_DOWN)


def criterion_ratio(value: Decimal, threshold: Decimal | None) -> Decimal:
    """Unrounded percent of ``threshold`` reached, capped at 100 (threshold 0/None: 100)."""
    if not threshold or threshold <= 0:
        return HUNDRED
    return min(HUNDRED, Decimal(value) * HUNDRED / Decimal(threshold))


class CriterionOutcome(NamedTuple):
    """A tuple, so that a recalculation shares one per distinct (criterion, next tier, value)
    among the enrollments, and stores it as the row it is."""

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


class Evaluator:
    """``evaluate`` for many enrollments of one program: the tier order and thresholds are laid
    out once, and a criterion's outcome for a value (met tiers, percent toward a tier) is
    computed once per distinct value — counts repeat a lot across 10,000 enrollments."""

    def __init__(self, *, tiers, criteria, thresholds):
        self.order = [t.id for t in tiers]
        self.criteria = [
            (c.id, [(tid, thresholds.get((c.id, tid), Decimal(0))) for tid in self.order]) for c in criteria
        ]
        self._next: dict = {}  # current tier id -> (next tier id, its index in the order)
        self._cell: dict = {}  # (criterion id, next tier index, value) -> its outcome's parts
        self._raw: dict = {}  # (criterion id, next tier index, raw type, raw) -> (CriterionOutcome, run, ratio)
        self._no_cells = [None] * len(self.criteria)
        layout = repr((FORMULAS_VERSION, self.order, self.criteria)).encode()
        self._digest_base = hashlib.blake2b(layout, digest_size=8)

    def digest(self, current_tier_id: int, cells, percent_tenths, next_tier_id, qualifying_tier_id) -> int:
        """A 64-bit digest of everything an enrollment's outcome is made of (the formulas'
        version, the tiers in order, the thresholds, its tier and values) and of the outcome
        stored with it (percent, next tier, qualifying tier): when the digest kept with an
        enrollment equals the one of its current inputs and stored columns, evaluating it again
        would write nothing. A mismatch, whatever its cause, means evaluate.

        ``cells`` are its values as the database gave them (``Cells.rows``; None: no record
        counted), one per criterion in this evaluator's order, so that no value is converted
        just to be compared; raw values equal mean decimals equal, and a raw value that differs
        while its decimal does not only costs an evaluation. ``percent_tenths`` is the percent
        times ten as an integer (96.6 -> 966; see ``tenths``): the same whether computed (100) or
        read back (100.0, or a float on SQLite)."""
        vector = "None" if cells is None else "|".join(map(str, cells))
        h = self._digest_base.copy()
        h.update(f"{current_tier_id}|{percent_tenths}|{next_tier_id}|{qualifying_tier_id}|{vector}".encode())
        return int.from_bytes(h.digest(), "big", signed=True)

    def next_tier_id(self, current_tier_id: int) -> int | None:
        order = self.order
        if current_tier_id not in order:
            return order[0] if order else None
        idx = order.index(current_tier_id)
        return order[idx + 1] if idx + 1 < len(order) else None

    def _cell_outcome(self, cid: int, levels, next_idx: int | None, value: Decimal) -> tuple:
        """(met tier ids, how many tiers from the first it meets in a row, ratio toward the next
        tier if that tier requires the criterion else None, percent, required)."""
        met = [tid for tid, threshold in levels if value >= threshold]
        run = 0
        for _tid, threshold in levels:
            if value < threshold:
                break
            run += 1
        if next_idx is None:
            return met, run, None, None, False
        threshold = levels[next_idx][1]
        ratio = criterion_ratio(value, threshold)
        required = threshold > 0
        return met, run, ratio if required else None, floor1(ratio), required

    def _toward(self, current_tier_id: int) -> tuple[int | None, int | None]:
        """The next tier's id and its index in the order (None, None at the top tier)."""
        hit = self._next.get(current_tier_id)
        if hit is None:
            next_tier_id = self.next_tier_id(current_tier_id)
            index = None if next_tier_id is None else self.order.index(next_tier_id)
            hit = self._next[current_tier_id] = (next_tier_id, index)
        return hit

    def _finish(self, next_tier_id, run: int, ratios: list, outcomes: list) -> Outcome:
        qualifying = self.order[run - 1] if run else None
        overall = None
        if next_tier_id is not None:
            overall = floor1(sum(ratios, Decimal(0)) / len(ratios)) if ratios else HUNDRED
        return Outcome(overall, next_tier_id, qualifying, outcomes)

    def outcome(self, current_tier_id: int, values: dict[int, Decimal]) -> Outcome:
        """The outcome of ``values`` {criterion id: value} (absent: 0)."""
        next_tier_id, next_idx = self._toward(current_tier_id)
        cache = self._cell
        outcomes, ratios = [], []
        run = len(self.order)
        zero = Decimal(0)
        for cid, levels in self.criteria:
            value = values.get(cid, zero)
            key = (cid, next_idx, value)
            parts = cache.get(key)
            if parts is None:
                parts = cache[key] = self._cell_outcome(cid, levels, next_idx, value)
            met, met_run, ratio, percent, required = parts
            if met_run < run:
                run = met_run
            if ratio is not None:
                ratios.append(ratio)
            outcomes.append(CriterionOutcome(cid, value, met, percent, required))
        return self._finish(next_tier_id, run, ratios, outcomes)

    def outcome_of_cells(self, current_tier_id: int, cells) -> Outcome:
        """``outcome`` of raw values (a row of ``Cells.rows``, None for no record counted), as
        ``Cells.values`` would convert them, without a dict of decimals per enrollment: each
        distinct raw value of a criterion is converted and measured once (keyed by its type
        too: 5 and 5.0 are equal keys, not the same raw value)."""
        next_tier_id, next_idx = self._toward(current_tier_id)
        cache = self._raw
        outcomes, ratios = [], []
        run = len(self.order)
        if cells is None:
            cells = self._no_cells
        for (cid, levels), raw in zip(self.criteria, cells, strict=True):
            key = (cid, next_idx, raw.__class__, raw)
            parts = cache.get(key)
            if parts is None:
                value = _to_decimal(raw).quantize(CENT) if raw else Decimal(0)
                met, met_run, ratio, percent, required = self._cell_outcome(cid, levels, next_idx, value)
                parts = cache[key] = (CriterionOutcome(cid, value, met, percent, required), met_run, ratio)
            criterion_outcome, met_run, ratio = parts
            if met_run < run:
                run = met_run
            if ratio is not None:
                ratios.append(ratio)
            outcomes.append(criterion_outcome)
        return self._finish(next_tier_id, run, ratios, outcomes)


def tenths(percent) -> int | None:
    """A percent with one decimal as an integer number of tenths (96.6 -> 966), as the digest
    takes it; the recalculation reads the stored column the same way in SQL."""
    return None if percent is None else int(percent * 10)


def evaluate(*, tiers, current_tier_id: int, criteria, thresholds, values: dict[int, Decimal]) -> Outcome:
    """Percentages and tier flags of one enrollment (the formulas in this module's docstring).

    ``tiers`` in order; ``thresholds`` {(criterion id, tier id): Decimal}; ``values``
    {criterion id: value}."""
    return Evaluator(tiers=tiers, criteria=criteria, thresholds=thresholds).outcome(current_tier_id, values)


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
