"""Reads of Learning > Courses: the course list, a course's Users panel and Enroll (learners,
versions, progress), and the ``access_course``/``access_enrollment`` lookups."""

import datetime

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from common.model_choices import TenantChoices
from tenancy.capabilities import Capability
from tenancy.models import Membership, Role, Tenant

from ..access import E, U, X, effectively_enrolled_q, effectively_expired_q, today_for, with_effective_status
from ..models import (
    Course,
    CourseEnrollment,
    CourseVersion,
    Module,
    ModuleProgress,
)

# The course filters' choices (client dashboard, course emails), by name.
COURSE_CHOICES = TenantChoices(lambda tenant_id: Course.objects.filter(tenant_id=tenant_id).order_by("name"))


def scoped_get(qs: QuerySet, pk, what: str, for_update: bool):
    """The body of every ``access_<model>``: one row of ``qs`` by id, or 404."""
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}.") from None


def access_course(*, tenant: Tenant, course_id, for_update: bool = False) -> Course:
    return scoped_get(Course.objects.filter(tenant=tenant).select_related("tenant"), course_id, "course", for_update)


def access_enrollment(*, tenant: Tenant, enrollment_id, for_update: bool = False) -> CourseEnrollment:
    qs = CourseEnrollment.objects.filter(tenant=tenant).select_related("learner__user", "sales_order", "version")
    return scoped_get(qs, enrollment_id, "enrollment", for_update)


def learner_roles(*, tenant: Tenant) -> list[int]:
    """Ids of the roles that take courses (hold the learn capability explicitly)."""
    return [r.pk for r in Role.objects.filter(tenant=tenant) if Capability.LEARN in (r.capabilities or [])]


def learner_list(*, tenant: Tenant, active_only: bool = False) -> QuerySet[Membership]:
    """Members whose role takes courses."""
    qs = Membership.objects.filter(tenant=tenant, role_id__in=learner_roles(tenant=tenant))
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.select_related("user").order_by("user__email")


def current_version(*, course: Course) -> CourseVersion | None:
    return CourseVersion.objects.filter(tenant_id=course.tenant_id, course=course, is_current=True).first()


def course_list(*, tenant: Tenant) -> QuerySet[Course]:
    """Courses with their current version number and enrollment counts by stored status."""
    return (
        Course.objects.filter(tenant=tenant)
        .annotate(
            enrolled_count=Count("enrollments", filter=Q(enrollments__status=E)),
            unenrolled_count=Count("enrollments", filter=Q(enrollments__status=U)),
            expired_count=Count("enrollments", filter=Q(enrollments__status=X)),
            current_number=Max("versions__number", filter=Q(versions__is_current=True)),
        )
        .order_by("name")
    )


def course_enrollment_list(*, course: Course, today: datetime.date | None = None) -> QuerySet[CourseEnrollment]:
    """The Users panel of a course: every enrollment with learner, sales order and the status as
    access sees it today (``effective_status``, ``effective_expiry``)."""
    today = today or today_for(course.tenant)
    qs = CourseEnrollment.objects.filter(tenant_id=course.tenant_id, course=course).select_related(
        "learner__user", "sales_order", "version"
    )
    return with_effective_status(qs, today=today).order_by("learner__user__email")


def learner_enrollments(*, membership: Membership, today: datetime.date | None = None) -> QuerySet[CourseEnrollment]:
    """One learner's enrollments (every status) with course, version and effective status."""
    today = today or today_for(membership.tenant)
    qs = CourseEnrollment.objects.filter(tenant_id=membership.tenant_id, learner=membership).select_related(
        "course", "version", "sales_order"
    )
    return with_effective_status(qs, today=today).order_by("course__name")


def modules_of(*, version: CourseVersion) -> QuerySet[Module]:
    return (
        Module.objects.filter(tenant_id=version.tenant_id, version=version)
        .prefetch_related("items")
        .order_by("position")
    )


def last_completed_module(*, enrollment: CourseEnrollment) -> Module | None:
    """The module a re-enrolled learner returns to: the furthest completed module of the
    enrollment's version (progress rows survive unenroll and expiry)."""
    progress = (
        ModuleProgress.objects.filter(
            tenant_id=enrollment.tenant_id,
            learner_id=enrollment.learner_id,
            module__version_id=enrollment.version_id,
            completed_at__isnull=False,
        )
        .select_related("module")
        .order_by("-module__position")
        .first()
    )
    return progress.module if progress else None


def enrollment_counts(*, tenant: Tenant, today: datetime.date) -> dict[str, int]:
    """Enrollments that open their course today and those expired (stored X, or E past its
    expiry): one query."""
    return CourseEnrollment.objects.filter(tenant=tenant).aggregate(
        enrolled=Count("pk", filter=effectively_enrolled_q(today)),
        expired=Count("pk", filter=effectively_expired_q(today)),
    )
