"""Reads for the learner's pages (My courses, Today, Learn, Practice, Apply, Results) and their
home panel. Each page costs a fixed number of queries whatever the row count."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tenancy.capabilities import Capability
from tenancy.models import Membership

from ..access import U, X, today_for, with_effective_status
from ..models import (
    CourseEnrollment,
    ItemKind,
    Module,
    ModuleItem,
    ModuleProgress,
)


def learner_enrollment(*, membership: Membership, course) -> CourseEnrollment | None:
    """This member's enrollment in ``course`` (any status), or None."""
    return (
        CourseEnrollment.objects.filter(tenant_id=membership.tenant_id, learner=membership, course=course)
        .select_related("course", "version", "sales_order", "learner__user", "tenant")
        .first()
    )


@dataclass
class ModuleState:
    module: Module
    items: list[ModuleItem]
    progress: ModuleProgress | None
    locked_reason: str = ""

    @property
    def completed(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def locked(self) -> bool:
        return bool(self.locked_reason)

    @property
    def is_assessment(self) -> bool:
        return any(i.kind == ItemKind.ASSESSMENT for i in self.items)

    def items_of(self, kind: str) -> list[ModuleItem]:
        return [i for i in self.items if i.kind == kind]


@dataclass
class CourseState:
    """A learner's place in their version of a course."""

    enrollment: CourseEnrollment
    modules: list[ModuleState]
    today: datetime.date
    upcoming: list[ModuleItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.modules)

    @property
    def completed_count(self) -> int:
        return sum(1 for m in self.modules if m.completed)

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / self.total) if self.total else 0

    @property
    def all_completed(self) -> bool:
        return bool(self.modules) and all(m.completed for m in self.modules)

    @property
    def next_module(self) -> ModuleState | None:
        return next((m for m in self.modules if not m.completed and not m.locked), None)

    @property
    def assessment(self) -> ModuleState | None:
        return next((m for m in reversed(self.modules) if m.is_assessment), None)

    @property
    def completed_ids(self) -> set[int]:
        return {m.module.pk for m in self.modules if m.completed}

    @property
    def average_score(self):
        scores = [m.progress.score for m in self.modules if m.progress and m.progress.score is not None]
        return sum(scores) / len(scores) if scores else None

    def state_of(self, module_id: int) -> ModuleState | None:
        return next((m for m in self.modules if m.module.pk == module_id), None)


def assessment_locked_reason(modules: list[ModuleState], assessment: ModuleState) -> str:
    """The final assessment opens once every other module is completed, and closes once it is
    submitted (completed): the recorded score is final."""
    if assessment.completed:
        return "Submitted: your score is recorded."
    missing = [m for m in modules if m is not assessment and not m.completed]
    if missing:
        return f"Opens when the other {len(missing)} module{'s are' if len(missing) != 1 else ' is'} completed."
    return ""


def course_state(*, enrollment: CourseEnrollment, today: datetime.date | None = None) -> CourseState:
    """Modules of the enrollment's version with their items, the learner's progress and what
    is locked (an item with a future unlock date locks its module; the final assessment waits for
    the others). Two queries."""
    today = today or today_for(enrollment.tenant)
    modules = list(
        Module.objects.filter(tenant_id=enrollment.tenant_id, version_id=enrollment.version_id)
        .prefetch_related(
            Prefetch("items", queryset=ModuleItem.objects.filter(tenant_id=enrollment.tenant_id).order_by("position"))
        )
        .order_by("position")
    )
    progress = {
        p.module_id: p
        for p in ModuleProgress.objects.filter(
            tenant_id=enrollment.tenant_id, learner_id=enrollment.learner_id, module__version_id=enrollment.version_id
        )
    }
    states = []
    upcoming = []
    for module in modules:
        items = list(module.items.all())
        later = [i for i in items if i.unlocks_on and i.unlocks_on > today]
        upcoming.extend(later)
        state = ModuleState(module=module, items=items, progress=progress.get(module.pk))
        if later and not state.completed:
            state.locked_reason = f"Opens {min(i.unlocks_on for i in later):%m/%d/%Y}."
        states.append(state)
    result = CourseState(enrollment=enrollment, modules=states, today=today, upcoming=upcoming)
    assessment = result.assessment
    if assessment and not assessment.locked_reason:
        assessment.locked_reason = assessment_locked_reason(states, assessment)
    return result


def module_counts(*, tenant_id: int) -> tuple[QuerySet, QuerySet]:
    """Correlated subqueries for an enrollment row: modules the learner completed in the
    enrollment's version, and the modules that version has (My courses and the reports)."""
    done = (
        ModuleProgress.objects.filter(
            tenant_id=tenant_id,
            learner_id=OuterRef("learner_id"),
            module__version_id=OuterRef("version_id"),
            completed_at__isnull=False,
        )
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    total = (
        Module.objects.filter(tenant_id=tenant_id, version_id=OuterRef("version_id"))
        .values("version_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return done, total


def my_course_list(*, membership: Membership, today: datetime.date | None = None) -> list[CourseEnrollment]:
    """The member's courses for My courses and the home panel: every enrollment but U, with
    effective status and completed/total module counts (one query)."""
    today = today or today_for(membership.tenant)
    done, total = module_counts(tenant_id=membership.tenant_id)
    qs = (
        CourseEnrollment.objects.filter(tenant_id=membership.tenant_id, learner=membership)
        .exclude(status=U)
        .select_related("course", "sales_order")
        .annotate(completed_modules=Coalesce(Subquery(done), 0), total_modules=Coalesce(Subquery(total), 0))
    )
    return list(with_effective_status(qs, today=today).order_by("course__name"))


def only_expired(enrollments: list[CourseEnrollment]) -> bool:
    """True when the member has courses and every one of them is expired: the "your course has
    expired" message."""
    return bool(enrollments) and all(e.effective_status == X for e in enrollments)


def has_courses(membership: Membership) -> bool:
    """Whether My courses has anything for this member: a role that takes courses and an
    enrollment that is not U (one EXISTS query, none for roles that take no courses, so an
    administrator or a client admin who is no learner does not pay for it on every page)."""
    if Capability.LEARN not in (membership.role.capabilities or []):
        return False
    # Asked once per request (the menu is drawn by a context processor that may run twice).
    if not hasattr(membership, "_has_courses"):
        membership._has_courses = (
            CourseEnrollment.objects.filter(tenant_id=membership.tenant_id, learner=membership)
            .exclude(status=U)
            .exists()
        )
    return membership._has_courses
