"""Writes of Learning > Courses: courses and their versions, module completion, and the Users
panel's bulk Edit and Enroll."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common.services import model_update
from tenancy.models import Membership, Tenant

from ..access import E, U, X, past_expiry_q, today_for
from ..models import (
    Course,
    CourseEnrollment,
    CourseVersion,
    ItemKind,
    Module,
    ModuleItem,
    ModuleProgress,
    SalesOrder,
)
from ..selectors.courses import current_version, learner_roles
from .expiry import reconcile_status
from .expiry_notices import expiry_changed


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    summary: str = ""
    # (kind, title) pairs; kind is an ItemKind value.
    items: Sequence[tuple[str, str]] = ()


@transaction.atomic
def course_create(*, tenant: Tenant, actor, name: str, description: str = "", modules: Iterable[ModuleSpec] = ()):
    """A course with version 1 (current) and its modules in the given order."""
    course = Course(tenant=tenant, name=name.strip(), description=description)
    course.full_clean()
    course.save()
    version = CourseVersion.objects.create(tenant=tenant, course=course, number=1, is_current=True)
    _create_modules(version, modules)
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=course, changes={"name": [None, course.name]})
    return course


@transaction.atomic
def course_publish_version(course: Course, *, actor, modules: Iterable[ModuleSpec]) -> CourseVersion:
    """A new current version. Existing enrollments stay in theirs (and keep their progress)."""
    last = CourseVersion.objects.filter(tenant_id=course.tenant_id, course=course).order_by("-number").first()
    CourseVersion.objects.filter(tenant_id=course.tenant_id, course=course, is_current=True).update(is_current=False)
    version = CourseVersion.objects.create(
        tenant_id=course.tenant_id, course=course, number=(last.number + 1 if last else 1), is_current=True
    )
    _create_modules(version, modules)
    record(
        tenant=course.tenant,
        actor=actor,
        action=Action.CREATE,
        target=version,
        verb="published version",
        changes={"number": [None, version.number]},
    )
    return version


def _create_modules(version: CourseVersion, modules: Iterable[ModuleSpec]) -> None:
    for position, spec in enumerate(modules, start=1):
        module = Module.objects.create(
            tenant_id=version.tenant_id, version=version, position=position, title=spec.title, summary=spec.summary
        )
        ModuleItem.objects.bulk_create(
            ModuleItem(tenant_id=version.tenant_id, module=module, position=i, kind=ItemKind(kind), title=title)
            for i, (kind, title) in enumerate(spec.items, start=1)
        )


@transaction.atomic
def module_complete(*, enrollment: CourseEnrollment, module: Module, score=None, now=None) -> ModuleProgress:
    """Mark a module of the enrollment's version completed (idempotent: the first completion
    time is kept, a new score replaces the old one)."""
    if module.version_id != enrollment.version_id:
        raise ValidationError("This module is not part of the learner's course version.")
    now = now or timezone.now()
    progress, created = ModuleProgress.objects.get_or_create(
        tenant_id=enrollment.tenant_id,
        learner_id=enrollment.learner_id,
        module=module,
        defaults={"completed_at": now, "score": score, "started_at": now},
    )
    if not created:
        data = {"completed_at": progress.completed_at or now}
        if score is not None:
            data["score"] = score
        model_update(instance=progress, fields=["completed_at", "score"], data=data)
    return progress


# --- The Users panel: Edit and Enroll -----------------------------------------------------------


class VersionChoice:
    """Which version a re-enrolled learner goes back to (the seed: same version, data unchanged)."""

    SAME = "same"
    LATEST = "latest"
    CHOICES = [
        (SAME, "Same version as before (progress kept)"),
        (LATEST, "Latest version (start fresh)"),
    ]


def _move_to_latest(rows: QuerySet[CourseEnrollment], *, course: Course) -> int:
    """Re-enrolled rows into the current version; their progress in the old one stays stored."""
    version = current_version(course=course)
    if version is None:
        raise ValidationError("This course has no published version yet.")
    return rows.exclude(version=version).update(version=version)


class BulkAction:
    ASSIGN = "assign"
    ENROLL = "enroll"
    UNENROLL = "unenroll"
    EXPIRE = "expire"
    CHOICES = [
        (ASSIGN, "Assign sales order / expiration date only"),
        (ENROLL, "Enroll (E)"),
        (UNENROLL, "Unenroll (U)"),
        (EXPIRE, "Expire (X)"),
    ]
    VERBS = {
        ASSIGN: "assigned sales order",
        ENROLL: "enrolled",
        UNENROLL: "unenrolled",
        EXPIRE: "expired",
    }


@dataclass(frozen=True)
class BulkResult:
    action: str
    count: int
    enrollment_ids: list[int]

    @property
    def message(self) -> str:
        noun = "enrollment" if self.count == 1 else "enrollments"
        return {
            BulkAction.ASSIGN: f"Updated {self.count} {noun}",
            BulkAction.ENROLL: f"Enrolled {self.count} {noun}",
            BulkAction.UNENROLL: f"Unenrolled {self.count} {noun}",
            BulkAction.EXPIRE: f"Expired {self.count} {noun}",
        }[self.action]


def _reject_inactive(learners: QuerySet[Membership]) -> None:
    inactive = list(learners.filter(is_active=False).values_list("user__email", flat=True).order_by("user__email"))
    if inactive:
        shown = ", ".join(inactive[:5]) + (f" and {len(inactive) - 5} more" if len(inactive) > 5 else "")
        raise ValidationError(
            f"{len(inactive)} selected learner{'s are' if len(inactive) != 1 else ' is'} inactive ({shown}). "
            "Reactivate them first; nothing was changed."
        )


@transaction.atomic
def enrollments_edit(
    *,
    course: Course,
    actor,
    enrollment_ids: Iterable[int],
    action: str,
    sales_order: SalesOrder | None = None,
    manual_expiration_date: datetime.date | None = None,
    clear_manual_date: bool = False,
    version_choice: str = VersionChoice.SAME,
    now=None,
) -> BulkResult:
    """The Users panel's Edit: on the selected enrollments of ``course``, assign a sales order
    and/or a manual expiration date, and enroll, unenroll or expire them. All or nothing; one
    activity entry listing them. Inactive learners are refused (the whole edit)."""
    if action not in dict(BulkAction.CHOICES):
        raise ValidationError("Choose what to do with the selected learners.")
    now = now or timezone.now()
    tenant = course.tenant
    today = today_for(tenant, now=now)
    ids = sorted({int(i) for i in enrollment_ids})
    rows = CourseEnrollment.objects.filter(tenant=tenant, course=course, pk__in=ids)
    # In key order: concurrent edits lock rows in the same order, the lock takes no joined row
    # (the model's ordering joins the learner's user), and the activity entry lists ids sorted.
    found = list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
    if not found:
        raise ValidationError("Select at least one learner.")
    if len(found) != len(ids):
        raise ValidationError("Some selected enrollments are not in this course any more; reload the page.")
    if sales_order is not None and sales_order.tenant_id != tenant.pk:
        raise ValidationError("No such sales order.")
    _reject_inactive(Membership.objects.filter(tenant=tenant, pk__in=rows.values("learner_id")))
    if action == BulkAction.ASSIGN and sales_order is None and manual_expiration_date is None and not clear_manual_date:
        raise ValidationError("Pick a sales order or an expiration date to assign.")
    if action == BulkAction.ENROLL and sales_order is None and rows.filter(sales_order__isnull=True).exists():
        raise ValidationError("Enrolling needs a sales order: pick the one that pays for this access.")

    values: dict = {}
    changes: dict = {}
    if sales_order is not None:
        values["sales_order"] = sales_order
        changes["sales_order"] = [None, sales_order.tran_id]
    if manual_expiration_date is not None:
        values["manual_expiration_date"] = manual_expiration_date
        changes["manual_expiration_date"] = [None, manual_expiration_date.isoformat()]
    elif clear_manual_date:
        values["manual_expiration_date"] = None
        changes["manual_expiration_date"] = [None, None]
    if values:
        rows.update(**values)

    if action == BulkAction.ENROLL:
        late = rows.filter(past_expiry_q(today)).count()
        if late:
            # Raising inside the atomic block undoes the assignment above too.
            raise ValidationError(
                f"{late} selected enrollment{'s' if late != 1 else ''} would be expired at once: the "
                "expiration date or the sales order's end date has passed. Pick a later one."
            )
        if version_choice == VersionChoice.LATEST:
            moved = _move_to_latest(rows.exclude(status=E), course=course)
            changes["version"] = [None, f"latest ({moved} moved)"]
        rows.exclude(status=E).update(status=E, expired_at=None, expired_by_hand=False, status_changed_at=now)
        changes["status"] = [None, E]
    elif action == BulkAction.UNENROLL:
        rows.exclude(status=U).update(status=U, expired_at=None, expired_by_hand=False, status_changed_at=now)
        changes["status"] = [None, U]
    elif action == BulkAction.EXPIRE:
        rows.exclude(status=X, expired_by_hand=True).update(
            status=X, expired_at=now, expired_by_hand=True, status_changed_at=now
        )
        changes["status"] = [None, X]
    else:
        reconcile_status(rows, today=today, now=now)

    if values or action == BulkAction.ENROLL:
        expiry_changed(tenant_id=tenant.pk)
    record(
        tenant=tenant,
        actor=actor,
        action=Action.UPDATE,
        target="CourseEnrollment",
        verb=BulkAction.VERBS[action],
        changes=changes,
        count=len(found),
        object_ids=found,
        label=f"{course.name}: {len(found)} enrollment{'s' if len(found) != 1 else ''}",
    )
    return BulkResult(action=action, count=len(found), enrollment_ids=found)


@transaction.atomic
def learners_enroll(
    *,
    course: Course,
    actor,
    learner_ids: Iterable[int],
    sales_order: SalesOrder,
    manual_expiration_date: datetime.date | None = None,
    version_choice: str = VersionChoice.SAME,
    now=None,
) -> BulkResult:
    """Enroll learners in ``course`` with a sales order: new ones in the current (latest) version;
    ones enrolled before go back to E in their own version with their progress (the default), or,
    with ``version_choice`` LATEST, into the latest version to start fresh."""
    if version_choice not in dict(VersionChoice.CHOICES):
        raise ValidationError("Choose the version re-enrolled learners go to.")
    now = now or timezone.now()
    tenant = course.tenant
    today = today_for(tenant, now=now)
    if sales_order is None or sales_order.tenant_id != tenant.pk:
        raise ValidationError("Enrolling needs a sales order.")
    expiry = manual_expiration_date or sales_order.end_date
    if expiry < today:
        raise ValidationError(f"That access would already be over ({expiry:%m/%d/%Y}).")
    ids = sorted({int(i) for i in learner_ids})
    learners = Membership.objects.filter(tenant=tenant, pk__in=ids, role_id__in=learner_roles(tenant=tenant))
    found = set(learners.values_list("pk", flat=True))
    if not found:
        raise ValidationError("Select at least one learner.")
    if len(found) != len(ids):
        raise ValidationError("Some selected people are not learners of this workspace.")
    _reject_inactive(learners)
    version = current_version(course=course)
    if version is None:
        raise ValidationError("This course has no published version yet.")
    existing = dict(
        CourseEnrollment.objects.filter(tenant=tenant, course=course, learner_id__in=found).values_list(
            "learner_id", "pk"
        )
    )
    CourseEnrollment.objects.bulk_create(
        CourseEnrollment(
            tenant=tenant,
            learner_id=learner_id,
            course=course,
            version=version,
            status=E,
            sales_order=sales_order,
            manual_expiration_date=manual_expiration_date,
            enrolled_at=now,
            status_changed_at=now,
        )
        for learner_id in sorted(found - existing.keys())
    )
    again = CourseEnrollment.objects.filter(tenant=tenant, course=course, pk__in=list(existing.values()))
    again.update(sales_order=sales_order, manual_expiration_date=manual_expiration_date)
    if version_choice == VersionChoice.LATEST:
        again.exclude(status=E).exclude(version=version).update(version=version)
    again.exclude(status=E).update(status=E, expired_at=None, expired_by_hand=False, status_changed_at=now)
    enrollment_ids = sorted(
        CourseEnrollment.objects.filter(tenant=tenant, course=course, learner_id__in=found).values_list("pk", flat=True)
    )
    expiry_changed(tenant_id=tenant.pk)
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target="CourseEnrollment",
        verb="enrolled",
        changes={
            "status": [None, E],
            "sales_order": [None, sales_order.tran_id],
            "manual_expiration_date": [None, manual_expiration_date.isoformat() if manual_expiration_date else None],
            "version": [
                None,
                f"v{version.number} (new)"
                + ("; re-enrolled: latest" if version_choice == VersionChoice.LATEST else "; re-enrolled: same"),
            ],
        },
        count=len(enrollment_ids),
        object_ids=enrollment_ids,
        label=f"{course.name}: {len(enrollment_ids)} enrollment{'s' if len(enrollment_ids) != 1 else ''}",
    )
    return BulkResult(action=BulkAction.ENROLL, count=len(enrollment_ids), enrollment_ids=enrollment_ids)
