"""Reads of the enrollment pages: the monitoring list and its attention presets, the tier
distribution of a program, the Enrollment Details page (with its tier history) and the choices
of the Edit dialog. Each page costs a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from activity.models import ActivityEntry
from common.export import neutralise, text_formatters
from common.export_sql import UsDate, UtcText, WholePart
from common.money import CENT
from common.precompiled import ID_MARKER, TENANT_MARKER, Precompiled, aggregate_query
from common.templatetags.portal import money, number, us_datetime

from ..criteria import KINDS
from ..engine import criterion_date_field, evaluate, progress_toward
from ..explain import REASONS, explained_records, missing_rates, reason_totals, values_for
from ..models import (
    Criterion,
    CriterionKind,
    CriterionResult,
    CustomCriterionStatus,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
    ProgressSnapshot,
    Tier,
)
from .base import access_object
from .config import benefit_grid, program_criteria, program_tiers, threshold_grid


def access_enrollment(*, tenant, enrollment_id, for_update=False) -> PartnerEnrollment:
    qs = PartnerEnrollment.objects.select_related(
        "program", "account", "tier", "next_tier", "qualifying_tier", "primary_partner_user__user"
    )
    return access_object(
        PartnerEnrollment, tenant=tenant, pk=enrollment_id, for_update=for_update, qs=qs, label="enrollment"
    )


def enrollment_list(*, tenant) -> QuerySet[PartnerEnrollment]:
    return PartnerEnrollment.objects.filter(tenant=tenant).select_related(
        "program", "account", "tier", "next_tier", "primary_partner_user__user"
    )


def enrollment_detail(*, tenant, enrollment_id) -> dict:
    """Everything the Enrollment Details page shows, in a fixed number of queries: the
    enrollment, the program's tiers, criteria with thresholds, the stored result per criterion,
    custom criterion statuses, and the benefit grid."""
    enrollment = access_enrollment(tenant=tenant, enrollment_id=enrollment_id)
    program = enrollment.program
    tiers = program_tiers(program=program)
    criteria = program_criteria(program=program)
    results = {r.criterion_id: r for r in CriterionResult.objects.filter(tenant=tenant, enrollment=enrollment)}
    customs = {
        s.criterion_id: s
        for s in CustomCriterionStatus.objects.filter(tenant=tenant, enrollment=enrollment).select_related(
            "verified_by"
        )
    }
    rows = []
    for row in threshold_grid(criteria=criteria, tiers=tiers):
        c = row["criterion"]
        result = results.get(c.id)
        met = set(result.met_tier_ids) if result else set()
        rows.append(
            {
                **row,
                "result": result,
                "met": [t.id in met for t in tiers],
                "custom_status": customs.get(c.id),
            }
        )
    return {
        "enrollment": enrollment,
        "program": program,
        "tiers": tiers,
        "criteria": rows,
        "benefits": benefit_grid(program=program, tiers=tiers, only_offered=True),
    }


# Attention presets of the Enrollments list (the seed's review checklist).
APPROACHING_MIN, APPROACHING_MAX = Decimal(85), Decimal(96)  # "85–95%" as the headline shows it (floored)
EXPIRING_WITHIN_DAYS = 90
STALLED_AFTER_DAYS = 60
STALE_AFTER_DAYS = 7

PRESETS = {
    "approaching": "Approaching next tier (85–95%)",
    "expiring": f"Expiring within {EXPIRING_WITHIN_DAYS} days",
    "stalled": f"Stalled (no progress change for {STALLED_AFTER_DAYS}+ days)",
    "stale": f"Last Calculated over {STALE_AFTER_DAYS} days ago",
}

TIER_CHANGE_VERB = "changed tier"


def preset_bounds(*, now=None, zone=None) -> dict:
    """The dates and times the presets compare with: days are calendar days in ``zone`` (the
    workspace's time zone), so a list does not change with the hour."""
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    today = timezone.localdate(now, zone)
    return {
        "today": today,
        "expiring_until": today + timedelta(days=EXPIRING_WITHIN_DAYS),
        # progress_changed_at is the time of the latest ProgressSnapshot (the engine keeps both).
        # Unchanged on any day since the 60th day before today: changed before the start of
        # the 59th day before today, local time.
        "stalled_before": datetime.combine(today - timedelta(days=STALLED_AFTER_DAYS - 1), time.min, tzinfo=zone),
        "stale_from": now - timedelta(days=STALE_AFTER_DAYS),
    }


def _preset_q(name: str, bounds: dict) -> Q:
    if name == "approaching":
        return Q(next_tier__isnull=False, progress_percent__gte=APPROACHING_MIN, progress_percent__lt=APPROACHING_MAX)
    if name == "expiring":
        return Q(expiration_date__gte=bounds["today"], expiration_date__lte=bounds["expiring_until"])
    if name == "stalled":
        return Q(next_tier__isnull=False, progress_changed_at__lt=bounds["stalled_before"])
    if name == "stale":
        return Q(last_calculated__isnull=True) | Q(last_calculated__lte=bounds["stale_from"])
    return Q()


def preset_q(name: str, *, now=None, zone=None) -> Q:
    """The condition of an attention preset (unknown names: no condition)."""
    return _preset_q(name, preset_bounds(now=now, zone=zone))


def enrollment_table(*, tenant, program=None) -> QuerySet[PartnerEnrollment]:
    """The Enrollments list, in a fixed number of queries (none per row). The two tiers of a row
    (a handful per program) come by two small prefetches rather than two more joins: with seven
    tables joined, PostgreSQL spent ten times the statement's run planning its join order
    (9.4 ms against 0.9 ms under the row-level security policies; 2.3 ms with five tables).
    The primary partner user is not joined either: the list does not show it (Enrollment Details
    does)."""
    qs = (
        PartnerEnrollment.objects.filter(tenant=tenant)
        .select_related("program", "account")
        .prefetch_related("tier", "next_tier")
        .order_by("account__name", "program__name")
    )
    if program is not None:
        qs = qs.filter(program=program)
    return qs


def attach_tiers(enrollments, tiers: list[Tier]) -> None:
    """Give each enrollment its tier and next tier from ``tiers`` (the workspace's, read
    already): the page's rows without a statement of their own. A tier not among them is left
    to Django to read."""
    by_id = {t.pk: t for t in tiers}
    for enrollment in enrollments:
        for field in ("tier", "next_tier"):
            tier_id = getattr(enrollment, f"{field}_id")
            if tier_id is None or tier_id in by_id:
                setattr(enrollment, field, by_id.get(tier_id))


def export_rows(queryset, *, zone=None):
    """Rows of the Enrollments export (the table's columns, in its order) as plain values; with
    ``zone``, as CSV text (dates and Last Calculated formatted in that zone, text cells
    neutralised: ``common.export.csv_chunks(formatted=True)``), which 10,000 rows need: the
    database writes the dates and the whole percent, Last Calculated comes as UTC text."""
    names = ("account__name", "program__name", "tier__name")
    if zone is None:
        fields = (*names, "progress_percent", "next_tier__name", "enrollment_date", "expiration_date")
        fields += ("last_calculated",)
    else:
        fields = (
            *names,
            WholePart("progress_percent"),
            "next_tier__name",
            UsDate("enrollment_date"),
            UsDate("expiration_date"),
            UtcText("last_calculated"),
        )
        datetime_text = text_formatters(zone)[1]
    for account, program, tier, percent, next_tier, start, end, last in queryset.values_list(*fields).iterator(
        chunk_size=2000
    ):
        if next_tier is None:
            progress = "Top tier" if last else "Not calculated"
        else:
            progress = f"{int(percent)}% to {next_tier}" if percent is not None else f"— to {next_tier}"
        if zone is None:
            yield [account, program, tier, progress, start, end, us_datetime(last) if last else ""]
        else:
            yield [
                neutralise(account),
                neutralise(program),
                neutralise(tier),
                neutralise(progress),
                start,
                end,
                datetime_text(last),
            ]


def _attention(queryset: QuerySet[PartnerEnrollment], bounds: dict) -> QuerySet:
    """The enrollments of each preset, as one row (grouped by a constant: compiled once below)."""
    counts = {name: Count("pk", filter=_preset_q(name, bounds)) for name in PRESETS}
    return aggregate_query(queryset, **counts)


# On every load of the Enrollments tab and the partner portal: compiled once (common.precompiled).
_BOUND_MARKERS = {
    "today": date(1901, 1, 1),
    "expiring_until": date(1901, 2, 1),
    "stalled_before": datetime(1901, 3, 1, tzinfo=UTC),
    "stale_from": datetime(1901, 4, 1, tzinfo=UTC),
}
_ATTENTION = Precompiled(
    lambda tenant_id, **bounds: _attention(PartnerEnrollment.objects.filter(tenant_id=tenant_id), bounds),
    scoped_by="tenant_id",
    tenant_id=TENANT_MARKER,
    **_BOUND_MARKERS,
)
_PROGRAM_ATTENTION = Precompiled(
    lambda tenant_id, program_id, **bounds: _attention(
        PartnerEnrollment.objects.filter(tenant_id=tenant_id, program_id=program_id), bounds
    ),
    scoped_by="tenant_id",
    tenant_id=TENANT_MARKER,
    program_id=ID_MARKER,
    **_BOUND_MARKERS,
)


def attention_counts(*, tenant, program=None) -> dict[str, int]:
    """How many enrollments each preset holds (of a program, or all), in one query."""
    bounds = preset_bounds(zone=tenant.zone)
    if program is None:
        [row] = _ATTENTION(tenant_id=tenant.pk, **bounds)
    else:
        [row] = _PROGRAM_ATTENTION(tenant_id=tenant.pk, program_id=program.pk, **bounds)
    return dict(zip(PRESETS, row, strict=True))


@dataclass
class TierShare:
    tier: Tier
    count: int
    percent: Decimal


def tier_distribution(*, program: PartnerProgram) -> list[TierShare]:
    """Enrollments per tier of the program (count and share), in tier order, one query."""
    tiers = list(
        Tier.objects.filter(tenant_id=program.tenant_id, program=program)
        .annotate(n=Count("enrollments"))
        .order_by("position", "id")
    )
    total = sum(t.n for t in tiers)
    return [
        TierShare(t, t.n, (Decimal(t.n) * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)) for t in tiers
    ]


# --- Formatting of criterion values and thresholds ---------------------------------------------

UNITS = {
    CriterionKind.APPROVED_REGISTRATIONS: ("registration", "registrations"),
    CriterionKind.CLOSED_DEALS: ("closed deal", "closed deals"),
    CriterionKind.REGISTERED_DEALS: ("deal registered", "deals registered"),
    CriterionKind.CERTIFICATIONS: ("certification", "certifications"),
}


def _number(value) -> str:
    return number(value)


def format_value(criterion, value, currency: str) -> str:
    """ "USD 125,000.00", "15 registrations", "Met"/"Not met" (custom)."""
    value = Decimal(value or 0)
    if criterion.kind == CriterionKind.REVENUE:
        return money(value, currency)
    if criterion.kind == CriterionKind.CUSTOM:
        return "Met" if value >= 1 else "Not met"
    one, many = UNITS.get(criterion.kind, ("", ""))
    return f"{_number(value)} {one if value == 1 else many}".strip()


def format_threshold(criterion, threshold, currency: str) -> str:
    if threshold is None:
        return "—"
    if criterion.kind == CriterionKind.CUSTOM:
        return "Required" if threshold > 0 else "—"
    if criterion.kind == CriterionKind.REVENUE:
        return f"≥ {money(threshold, currency)}"
    return f"≥ {_number(threshold)}"


def format_target(criterion, threshold, currency: str) -> str:
    """The next tier's threshold as a target ("USD 100,000.00", "10"); "" for custom criteria."""
    if threshold is None or threshold <= 0 or criterion.kind == CriterionKind.CUSTOM:
        return ""
    return money(threshold, currency) if criterion.kind == CriterionKind.REVENUE else _number(threshold)


def format_gap(criterion, value, threshold, currency: str) -> str:
    """What is still missing toward ``threshold`` ("" when met or not required)."""
    if threshold is None or threshold <= 0:
        return ""
    missing = Decimal(threshold) - Decimal(value or 0)
    if missing <= 0:
        return ""
    if criterion.kind == CriterionKind.CUSTOM:
        return "needs verification"
    if criterion.kind == CriterionKind.REVENUE:
        return f"{money(missing, currency)} to go"
    return f"needs {_number(missing)} more"


# --- Enrollment Details ---------------------------------------------------------------------------


def enrollment_page(*, tenant, enrollment_id) -> dict:
    """The Enrollment Details page: the engine's stored results laid out per tier, the benefits,
    the tier history and the recalculation state. A fixed number of queries."""
    data = enrollment_detail(tenant=tenant, enrollment_id=enrollment_id)
    enrollment, program, tiers = data["enrollment"], data["program"], data["tiers"]
    index = {t.id: i for i, t in enumerate(tiers)}
    current = index.get(enrollment.tier_id)
    nxt = current + 1 if current is not None and current + 1 < len(tiers) else None
    rows = []
    for row in data["criteria"]:
        c, result = row["criterion"], row["result"]
        value = result.value if result else Decimal(0)
        next_threshold = row["thresholds"][nxt] if nxt is not None else None
        rows.append(
            {
                **row,
                "value": value,
                "value_display": format_value(c, value, program.currency),
                "cells": [
                    {
                        "tier": t,
                        "threshold": format_threshold(c, th, program.currency),
                        # No threshold (or a custom criterion not asked at this tier): nothing to meet.
                        "met": None if th is None or (c.is_custom and th <= 0) else met,
                        "current": i == current,
                        "next": i == nxt,
                    }
                    for i, (t, th, met) in enumerate(zip(tiers, row["thresholds"], row["met"], strict=True))
                ],
                "percent": result.percent if result else None,
                "required": result.required if result else bool(next_threshold),
                "gap": format_gap(c, value, next_threshold, program.currency),
                "target": format_target(c, next_threshold, program.currency),
            }
        )
    # Progress toward every higher tier, from the stored values ("26% to Scale" while 100% to
    # Build): the tier map and the criteria grid show each.
    values = [r["value"] for r in rows]
    higher = []
    for i, t in enumerate(tiers):
        if current is None or i <= current:
            continue
        overall, percents = progress_toward(thresholds=[r["thresholds"][i] for r in rows], values=values)
        higher.append({"tier": t, "index": i, "percent": overall, "percent_int": int(overall)})
        for row, pct in zip(rows, percents, strict=True):
            cell = row["cells"][i]
            if pct is not None and cell["met"] is False:
                cell["percent"] = pct
    for item in higher:
        item["label"] = f"{item['percent_int']}% to {item['tier'].name}"
    revenue = [r["criterion"] for r in rows if r["criterion"].kind == CriterionKind.REVENUE]
    unconverted = []
    for c in revenue:
        for m in missing_rates(c, enrollment):
            n = m["count"]
            text = (
                f"{n} deal{'s' if n != 1 else ''} in {m['currency']} {'have' if n != 1 else 'has'} no rate on "
                f"{'their' if n != 1 else 'its'} date: not counted"
            )
            unconverted.append({**m, "criterion": c, "text": f"{c.name}: {text}" if len(revenue) > 1 else text})
    benefits = [
        {
            **b,
            "cells": [{"value": v, "current": i == current, "next": i == nxt} for i, v in enumerate(b["values"])],
            "gain": _gain(b["values"], current, nxt),
        }
        for b in data["benefits"]
    ]
    return {
        **data,
        "criteria": rows,
        "benefits": benefits,
        "current_index": current,
        "next_tier_obj": tiers[nxt] if nxt is not None else None,
        "unconverted": unconverted,
        "tier_map": [
            {"tier": t, "position": i + 1, "progress": next((h for h in higher if h["index"] == i), None)}
            for i, t in enumerate(tiers)
        ],
        "percent_int": int(enrollment.progress_percent) if enrollment.progress_percent is not None else None,
        "tier_history": tier_history(enrollment=enrollment),
        "recalc_pending": enrollment.recalc_due_at is not None,
        "recalc_delay_minutes": max(1, settings.PARTNER_RECALC_DELAY_SECONDS // 60),
    }


def _gain(values: list[str], current, nxt) -> str:
    """The value a benefit gets at the next tier when it differs from the current tier's."""
    if nxt is None:
        return ""
    now_value = values[current] if current is not None else ""
    return values[nxt] if values[nxt] and values[nxt] != now_value else ""


def tier_history(*, enrollment: PartnerEnrollment) -> list[ActivityEntry]:
    """Tier changes of the enrollment, newest first (who, when, from, to, reason), from the
    activity log the Edit service writes them to."""
    return list(
        ActivityEntry.objects.filter(
            tenant_id=enrollment.tenant_id,
            object_type="PartnerEnrollment",
            object_id=str(enrollment.pk),
            verb=TIER_CHANGE_VERB,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def account_partner_users(*, enrollment: PartnerEnrollment) -> QuerySet[PartnerUser]:
    """Who can be the enrollment's primary partner user: the enrolled account's users only."""
    return (
        PartnerUser.objects.filter(tenant_id=enrollment.tenant_id, account_id=enrollment.account_id)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


@dataclass
class EnrollmentFootprint:
    """What deleting an enrollment removes with it (the Delete dialog lists it)."""

    tier_changes: int
    snapshots: int
    custom_marks: int
    results: int


def enrollment_footprint(enrollment: PartnerEnrollment) -> EnrollmentFootprint:
    """Counts of the rows that go with the enrollment, one query."""
    tenant_id, pk = enrollment.tenant_id, enrollment.pk
    row = (
        PartnerEnrollment.objects.filter(tenant_id=tenant_id, pk=pk)
        .annotate(
            n_snapshots=Subquery(_count(ProgressSnapshot, tenant_id)),
            n_custom=Subquery(_count(CustomCriterionStatus, tenant_id)),
            n_results=Subquery(_count(CriterionResult, tenant_id)),
            n_tier_changes=Subquery(
                ActivityEntry.objects.filter(
                    tenant_id=tenant_id, object_type="PartnerEnrollment", object_id=str(pk), verb=TIER_CHANGE_VERB
                )
                .order_by()
                .values("tenant_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
        )
        .values("n_snapshots", "n_custom", "n_results", "n_tier_changes")
        .first()
    ) or {}
    return EnrollmentFootprint(
        tier_changes=row.get("n_tier_changes") or 0,
        snapshots=row.get("n_snapshots") or 0,
        custom_marks=row.get("n_custom") or 0,
        results=row.get("n_results") or 0,
    )


def _count(model, tenant_id):
    return (
        model.objects.filter(tenant_id=tenant_id, enrollment_id=OuterRef("pk"))
        .order_by()
        .values("enrollment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


# --- Drill-down: the records behind one criterion's value ------------------------------------------

# Columns of the drill-down per source: (header, accessor on the record).
DRILLDOWN_COLUMNS = {
    "opportunity": [
        ("Opportunity", "name"),
        ("Owner", "owner__email"),
        ("Amount", "amount"),
        ("Currency", "currency"),
        ("Stage", "get_stage_display"),
        ("Close date", "close_date"),
        ("Created date", "created_date"),
    ],
    "lead": [
        ("Company", "company"),
        ("Owner", "owner__email"),
        ("Status", "get_status_display"),
        ("Approval date", "approval_date"),
        ("Created date", "created_date"),
    ],
    "course": [
        ("Course", "course_name"),
        ("Partner user", "partner_user__user__email"),
        ("Assigned date", "assigned_date"),
        ("Completion date", "completed_date"),
    ],
}
DRILLDOWN_RELATED = {"opportunity": ["owner"], "lead": ["owner"], "course": ["partner_user__user"]}


def access_measured_criterion(*, tenant, enrollment: PartnerEnrollment, criterion_id) -> Criterion:
    """A measured (not custom) criterion of the enrollment's program; 404 for any other id."""
    qs = Criterion.objects.filter(tenant_id=enrollment.tenant_id, program_id=enrollment.program_id).exclude(
        kind=CriterionKind.CUSTOM
    )
    return access_object(Criterion, tenant=tenant, pk=criterion_id, qs=qs, label="criterion")


def criterion_records(*, enrollment: PartnerEnrollment, criterion: Criterion, reason: str = "") -> QuerySet:
    """The records behind the criterion's value for one enrollment, each with its reason, newest
    attainment date first (rows of one page: one query)."""
    source = KINDS[criterion.kind].source
    field = criterion_date_field(criterion)
    qs = explained_records(criterion, enrollment).select_related(*DRILLDOWN_RELATED[source])
    if reason in REASONS:
        qs = qs.filter(reason=reason)
    # Undated records go last. On a column that cannot be null that clause is left out, so the
    # (tenant, account, date) index serves the order and a page reads 25 rows, not all of them.
    nullable = qs.model._meta.get_field(field).null
    return qs.order_by(F(field).desc(nulls_last=True) if nullable else F(field).desc(), "-pk")


def criterion_record_summary(*, enrollment: PartnerEnrollment, criterion: Criterion) -> list[dict]:
    """Per reason, in REASONS order: how many records and their sum in the criterion's unit
    (revenue converted to the program currency; None where no rate converts it). Two queries
    (the grouped records and the rates), whatever the number of records."""
    totals = reason_totals(criterion, enrollment)
    out = []
    for key, label in REASONS.items():
        if key == "rate" and not KINDS[criterion.kind].rollup_fields:
            continue
        row = totals.get(key, {"count": 0, "total": Decimal(0)})
        total = row["total"]
        out.append(
            {
                "reason": key,
                "label": label,
                "count": row["count"],
                "total": None if total is None else Decimal(total).quantize(CENT),
            }
        )
    return out


def drilldown_cells(record, columns, *, display: bool = False) -> list:
    """The record's values for ``columns``; for the page (``display``) amounts are grouped."""
    cells = []
    for _, accessor in columns:
        value = record
        for part in accessor.split("__"):
            value = getattr(value, part, None) if value is not None else None
        value = value() if callable(value) else value
        cells.append(number(value) if display and isinstance(value, Decimal) else value)
    return cells


# --- What-if preview of the Edit dialog ----------------------------------------------------------


def progress_preview(
    enrollment: PartnerEnrollment, *, changes: dict, custom: dict[int, bool], criteria: list | None = None
) -> dict:
    """The progress the enrollment would have with ``changes`` (primary partner user, tier,
    dates) and ``custom`` marks, next to the stored one: per criterion and the headline, old →
    new, and whether the partner fully meets the chosen tier. Computed by the engine in memory;
    nothing is written. A fixed number of queries whatever the record count (``criteria``: the
    program's, with thresholds, when the caller has them already)."""
    tenant_id = enrollment.tenant_id
    tiers = program_tiers(program=enrollment.program)
    criteria = program_criteria(program=enrollment.program) if criteria is None else criteria
    thresholds = {(t.criterion_id, t.tier_id): t.value for c in criteria for t in c.thresholds.all()}
    stored = {r.criterion_id: r for r in CriterionResult.objects.filter(tenant_id=tenant_id, enrollment=enrollment)}
    marks = dict(
        CustomCriterionStatus.objects.filter(tenant_id=tenant_id, enrollment=enrollment).values_list(
            "criterion_id", "met"
        )
    )
    # A fresh unsaved instance: the page's own enrollment (and its cached relations) is untouched.
    what_if = PartnerEnrollment(
        pk=enrollment.pk,
        tenant_id=tenant_id,
        program=enrollment.program,
        account_id=enrollment.account_id,
        tier=changes.get("tier") or enrollment.tier,
        enrollment_date=changes.get("enrollment_date") or enrollment.enrollment_date,
        expiration_date=changes.get("expiration_date") or enrollment.expiration_date,
        primary_partner_user=changes.get("primary_partner_user") or enrollment.primary_partner_user,
    )
    values = values_for(criteria, what_if, custom={**marks, **custom})
    outcome = evaluate(
        tiers=tiers, current_tier_id=what_if.tier_id, criteria=criteria, thresholds=thresholds, values=values
    )
    by_id = {t.id: t for t in tiers}
    next_tier = by_id.get(outcome.next_tier_id)
    currency = enrollment.program.currency
    rows = []
    for c, co in zip(criteria, outcome.criteria, strict=True):
        before = stored.get(c.id)
        old_value = before.value if before else Decimal(0)
        rows.append(
            {
                "criterion": c,
                "old": format_value(c, old_value, currency),
                "new": format_value(c, co.value, currency),
                "old_percent": before.percent if before else None,
                "new_percent": co.percent if co.required else None,
                "changed": old_value != co.value or (before.percent if before else None) != co.percent,
            }
        )
    new_label = f"{int(outcome.percent)}% to {next_tier.name}" if next_tier else "Top tier"
    tier = by_id.get(what_if.tier_id)
    missing = [
        c.name
        for c, co in zip(criteria, outcome.criteria, strict=True)
        if thresholds.get((c.id, tier.id), Decimal(0)) > 0 and tier.id not in co.met_tier_ids
    ]
    return {
        "old_label": enrollment.progress_label,
        "new_label": new_label,
        "changed": new_label != enrollment.progress_label or any(r["changed"] for r in rows),
        "rows": rows,
        "tier": tier,
        "tier_changed": what_if.tier_id != enrollment.tier_id,
        "tier_missing": missing,
    }


def enrollment_notices(*, tenant, enrollment) -> list:
    """The notices before this enrollment's expiration: who was told (or not, and why) and when."""
    from ..models import PartnerExpiryNotice

    return list(
        PartnerExpiryNotice.objects.filter(tenant=tenant, enrollment=enrollment).order_by("-created_at", "to_address")
    )
