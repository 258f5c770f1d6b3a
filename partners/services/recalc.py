"""Recalculation of partner progress, immediate (a user's Recalculate, a whole program) or
delayed (5 minutes after a change, through common.due)."""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, F, Q, TextField
from django.db.models.functions import Cast, Round
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common import due

from ..engine import Evaluator, criterion_cells, tenths
from ..models import Criterion, CriterionResult, PartnerEnrollment, PartnerProgram, Tier
from .store import store_progress, store_results, store_snapshots


@dataclass(slots=True)
class _Progress:
    """An enrollment's stored progress columns (the engine reads 10,000 of them: tuples, not
    model instances)."""

    id: int
    tier_id: int
    percent_tenths: int | None  # progress_percent x 10, read so in SQL: no decimal to convert
    next_tier_id: int | None
    qualifying_tier_id: int | None
    progress_known: bool  # progress_changed_at is set (read as a flag: no datetime to convert)
    inputs_digest: int | None
    last_calculated: object = None
    progress_changed_at: object = None  # set when this run moves the progress; None: unchanged

    @property
    def progress_percent(self) -> Decimal | None:
        return None if self.percent_tenths is None else Decimal(self.percent_tenths).scaleb(-1)


def _read_progress(scope) -> list[_Progress]:
    """The enrollments' stored progress as the digest compares it: the percent as whole tenths
    (rounded in SQL: SQLite hands 96.6 back as a float), whether it ever moved as a flag."""
    known = ExpressionWrapper(Q(progress_changed_at__isnull=False), output_field=BooleanField())
    percent_tenths = Cast(Round(F("progress_percent") * 10), BigIntegerField())
    return [
        _Progress(*row)
        for row in scope.order_by()
        .annotate(progress_known=known, percent_tenths=percent_tenths)
        .values_list(
            "id", "tier_id", "percent_tenths", "next_tier_id", "qualifying_tier_id", "progress_known", "inputs_digest"
        )
    ]


def _recalculate(*, program: PartnerProgram, enrollment_ids=None) -> list[_Progress]:
    """Compute and store the progress of the program's enrollments (all, or those ids).

    A fixed number of queries for any number of records: tiers, criteria, thresholds, the
    enrollments, one grouped aggregate per (source, date field), custom statuses, then batched
    writes of what changed (stale results deleted, results upserted, enrollments updated,
    snapshots added) and one UPDATE of Last Calculated for the rest.

    An enrollment whose inputs digest (``Evaluator.digest``: thresholds, tier, values and the
    outcome stored) is the one kept with it is not evaluated again: nothing of it would change.
    So a run where nothing changed reads the values and writes only Last Calculated."""
    now = timezone.now()
    tenant_id = program.tenant_id
    tiers = list(Tier.objects.filter(tenant_id=tenant_id, program_id=program.id).order_by("position", "id"))
    criteria = list(
        Criterion.objects.filter(tenant_id=tenant_id, program_id=program.id)
        .order_by("position", "id")
        .prefetch_related("thresholds")
    )
    thresholds = {(t.criterion_id, t.tier_id): t.value for c in criteria for t in c.thresholds.all()}
    scope = PartnerEnrollment.objects.filter(tenant_id=tenant_id, program_id=program.id)
    if enrollment_ids is not None:
        scope = scope.filter(pk__in=list(enrollment_ids))
    enrollments = _read_progress(scope)
    if not enrollments:
        return []
    ids = None if enrollment_ids is None else [e.id for e in enrollments]
    cells = criterion_cells(program=program, criteria=criteria, enrollment_ids=ids)
    evaluator = Evaluator(tiers=tiers, criteria=criteria, thresholds=thresholds)
    rows, digest = cells.rows, evaluator.digest
    stale = [
        e
        for e in enrollments
        if not e.progress_known
        or e.inputs_digest != digest(e.tier_id, rows.get(e.id), e.percent_tenths, e.next_tier_id, e.qualifying_tier_id)
    ]
    for enrollment in enrollments:
        enrollment.last_calculated = now
    if stale:
        whole = enrollment_ids is None and len(stale) == len(enrollments)
        _evaluate_and_store(program, criteria, evaluator, stale, cells, now, whole=whole)
    if len(stale) < len(enrollments):  # else every one was written with its progress
        scope.exclude(last_calculated=now).update(last_calculated=now)
    return enrollments


def _evaluate_and_store(program, criteria, evaluator, enrollments, cells, now, *, whole: bool) -> None:
    """Evaluate these enrollments and write what changed: criterion results that differ from
    the stored ones, the progress columns and digest, a snapshot where the progress moved."""
    tenant_id = program.tenant_id
    stored = CriterionResult.objects.filter(tenant_id=tenant_id, enrollment__program_id=program.id)
    if not whole:
        stored = stored.filter(enrollment_id__in=[e.id for e in enrollments])
    # The met tiers as stored text, parsed once per distinct list (a handful), not per row.
    met_lists: dict[str, list] = {}
    previous = {}
    for e, c, value, met, percent, required in stored.order_by().values_list(
        "enrollment_id", "criterion_id", "value", Cast("met_tier_ids", TextField()), "percent", "required"
    ):
        if met not in met_lists:
            met_lists[met] = json.loads(met)
        previous[(e, c)] = (c, value, met_lists[met], percent, required)  # a CriterionOutcome's fields
    results, snapshots = [], []
    rows = cells.rows
    for enrollment in enrollments:
        row = rows.get(enrollment.id)
        outcome = evaluator.outcome_of_cells(enrollment.tier_id, row)
        percent_tenths = tenths(outcome.percent)
        if (
            enrollment.percent_tenths != percent_tenths
            or enrollment.next_tier_id != outcome.next_tier_id
            or not enrollment.progress_known
        ):
            enrollment.progress_changed_at = now
            snapshots.append((enrollment.id, outcome.percent, outcome.next_tier_id))
        enrollment.percent_tenths = percent_tenths
        enrollment.next_tier_id = outcome.next_tier_id
        enrollment.qualifying_tier_id = outcome.qualifying_tier_id
        enrollment.inputs_digest = evaluator.digest(
            enrollment.tier_id, row, percent_tenths, outcome.next_tier_id, outcome.qualifying_tier_id
        )
        if previous:
            results += [(enrollment.id, *co) for co in outcome.criteria if previous.get((enrollment.id, co[0])) != co]
        else:  # a first run: every result is new
            results += [(enrollment.id, *co) for co in outcome.criteria]
    current = {c.id for c in criteria}
    if any(c not in current for _, c in previous):  # a criterion was deleted since
        gone = CriterionResult.objects.filter(tenant_id=tenant_id, enrollment__program_id=program.id).exclude(
            criterion_id__in=current
        )
        if not whole:
            gone = gone.filter(enrollment_id__in=[e.id for e in enrollments])
        gone.delete()
    store_results(tenant_id, results, calculated_at=now)
    store_progress(tenant_id, enrollments)
    store_snapshots(tenant_id, snapshots, recorded_at=now)


def recalculate_now(enrollment: PartnerEnrollment) -> _Progress | None:
    """Recompute one enrollment inside the caller's transaction (about 15 ms) and clear its due
    mark: the row is locked, so no change can slip in between the computation and the clearing,
    and the version check keeps a mark set by anything the computation did not see. The task
    queued by that mark then finds nothing due and records nothing. Returns the fresh row."""
    row = (
        PartnerEnrollment.objects.select_for_update()
        .filter(tenant_id=enrollment.tenant_id, pk=enrollment.pk)
        .values_list("recalc_version", "recalc_due_at")
        .first()
    )
    if row is None:
        return None
    version, due_at = row
    done = _recalculate(program=enrollment.program, enrollment_ids=[enrollment.pk])
    if due_at is not None:
        cleared = PartnerEnrollment.objects.filter(
            tenant_id=enrollment.tenant_id, pk=enrollment.pk, recalc_version=version
        ).update(recalc_due_at=None)
        if cleared:
            enrollment.recalc_due_at = None
    return done[0] if done else None


@transaction.atomic
def recalculate_enrollment(enrollment: PartnerEnrollment, *, actor=None) -> PartnerEnrollment:
    """Recompute one enrollment now (the Recalculate button); updates Last Calculated and clears
    a pending delayed run (it would compute the same). The activity entry has the stored
    progress before and after (not the caller's copy's)."""
    before = (
        PartnerEnrollment.objects.filter(tenant_id=enrollment.tenant_id, pk=enrollment.pk)
        .values_list("progress_percent", flat=True)
        .first()
    )
    fresh = recalculate_now(enrollment)
    if fresh is not None:
        for name in ("progress_percent", "next_tier_id", "qualifying_tier_id", "last_calculated"):
            setattr(enrollment, name, getattr(fresh, name))
        if fresh.progress_changed_at is not None:
            enrollment.progress_changed_at = fresh.progress_changed_at
        for cache in ("next_tier", "qualifying_tier"):
            enrollment._state.fields_cache.pop(cache, None)
    record(
        tenant=enrollment.program.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=enrollment,
        verb="recalculated progress",
        changes={"progress_percent": [_percent(before), _percent(enrollment.progress_percent)]},
    )
    return enrollment


def _percent(value) -> str | None:
    return None if value is None else f"{value}%"


@transaction.atomic
def recalculate_program(program: PartnerProgram, *, actor=None) -> int:
    """Recompute every enrollment of a program with set-based queries; returns how many."""
    done = _recalculate(program=program)
    if done:
        record(
            tenant=program.tenant,
            actor=actor,
            action=Action.UPDATE,
            target="PartnerEnrollment",
            verb="recalculated progress",
            count=len(done),
            object_ids=[e.id for e in done],
            label=str(program),
        )
    return len(done)


def recalculate_program_in_batches(program: PartnerProgram, *, actor=None, progress=None, batch_size=2000) -> int:
    """Recalculate all, as a job: the same computation as ``recalculate_program``, a batch of
    enrollments per transaction so the job can report progress (and be cancelled) between
    batches. Each enrollment's result stands on its own, so a stop keeps the batches done."""
    ids = list(
        PartnerEnrollment.objects.filter(tenant_id=program.tenant_id, program_id=program.id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if progress:
        progress(0, len(ids), phrase="Recalculating enrollments")
    done: list[int] = []
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            done += [e.id for e in _recalculate(program=program, enrollment_ids=ids[start : start + batch_size])]
        if progress:
            progress(len(done), len(ids))
    if done:
        with transaction.atomic():
            record(
                tenant=program.tenant,
                actor=actor,
                action=Action.UPDATE,
                target="PartnerEnrollment",
                verb="recalculated progress",
                count=len(done),
                object_ids=done,
                label=str(program),
            )
    return len(done)


def _run_due(tenant, pks) -> None:
    """The due-work handler: recalculate these enrollments, program by program (set-based)."""
    by_program: dict[int, list[int]] = defaultdict(list)
    for program_id, pk in PartnerEnrollment.objects.filter(tenant=tenant, pk__in=pks).values_list("program_id", "id"):
        by_program[program_id].append(pk)
    for program in PartnerProgram.objects.filter(tenant=tenant, pk__in=list(by_program)):
        done = _recalculate(program=program, enrollment_ids=by_program[program.id])
        record(
            tenant=tenant,
            actor=None,
            action=Action.UPDATE,
            target="PartnerEnrollment",
            verb="recalculated progress (scheduled)",
            count=len(done),
            object_ids=[e.id for e in done],
            label=str(program),
        )


RECALC_WORK = due.register(
    due.DueWork(
        name="partner-recalc",
        model=PartnerEnrollment,
        handler=_run_due,
        due_field="recalc_due_at",
        version_field="recalc_version",
    )
)


def mark_enrollments_due(queryset, *, delay_seconds: int | None = None) -> int:
    """Schedule the delayed recalculation of these enrollments (in the caller's transaction):
    due in PARTNER_RECALC_DELAY_SECONDS unless already due sooner; a task is queued on commit
    and the every-minute sweep catches a lost one. Returns how many were marked."""
    delay = settings.PARTNER_RECALC_DELAY_SECONDS if delay_seconds is None else delay_seconds
    return due.mark_due(RECALC_WORK, queryset, delay_seconds=delay)


def mark_program_due(program: PartnerProgram) -> int:
    return mark_enrollments_due(PartnerEnrollment.objects.filter(tenant_id=program.tenant_id, program_id=program.id))


def mark_accounts_due(tenant, account_ids) -> int:
    ids = {a for a in account_ids if a}
    if not ids:
        return 0
    return mark_enrollments_due(PartnerEnrollment.objects.filter(tenant=tenant, account_id__in=ids))
