"""Reads of a course's Versions page and the version editor."""

from django.db.models import Count, Prefetch, Q, QuerySet

from tenancy.models import Tenant

from ..access import E, X
from ..models import Course, CourseVersion, Module, ModuleItem
from .courses import scoped_get


def version_list(*, course: Course) -> QuerySet[CourseVersion]:
    """Every version of the course, newest first, with module and enrollment counts (one query)."""
    return (
        CourseVersion.objects.filter(tenant_id=course.tenant_id, course=course)
        .annotate(
            module_count=Count("modules", distinct=True),
            enrolled_count=Count("enrollments", filter=Q(enrollments__status__in=[E, X]), distinct=True),
        )
        .order_by("-number")
    )


def access_version(*, tenant: Tenant, version_id, for_update: bool = False) -> CourseVersion:
    qs = CourseVersion.objects.filter(tenant=tenant).select_related("course__tenant")
    return scoped_get(qs, version_id, "version", for_update)


def version_modules(*, version: CourseVersion) -> list[Module]:
    """The version's modules in order, each with its items (two queries)."""
    items = ModuleItem.objects.filter(tenant_id=version.tenant_id).order_by("position")
    return list(
        Module.objects.filter(tenant_id=version.tenant_id, version=version)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("position")
    )


def access_version_module(*, version: CourseVersion, module_id) -> Module:
    qs = Module.objects.filter(tenant_id=version.tenant_id, version=version).select_related("version__course__tenant")
    return scoped_get(qs, module_id, "module", False)


def access_version_item(*, version: CourseVersion, item_id) -> ModuleItem:
    qs = ModuleItem.objects.filter(tenant_id=version.tenant_id, module__version=version).select_related(
        "module__version__course__tenant"
    )
    return scoped_get(qs, item_id, "item", False)
