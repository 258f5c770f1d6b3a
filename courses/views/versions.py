"""Learning > Courses > a course > Versions: the versions with their counts, start a new version
(a draft copy of the current one), edit a draft's modules and items, publish it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.permissions import capability_required
from tenancy.capabilities import Capability

from ..models import ItemKind
from ..selectors.courses import access_course
from ..selectors.versions import (
    access_version,
    access_version_item,
    access_version_module,
    version_list,
    version_modules,
)
from ..services import versions as services


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_LEARNING)
def course_versions(request, tenant_slug, course_id):
    course = access_course(tenant=request.tenant, course_id=course_id)
    if request.method == "POST":
        draft = services.version_start_draft(course, actor=request.user)
        messages.success(
            request, f"Version {draft.number} is a draft copy of the current version: edit it, then publish."
        )
        return redirect("courses:version_edit", tenant_slug=tenant_slug, version_id=draft.pk)
    versions = list(version_list(course=course))
    return render(
        request,
        "courses/course_versions.html",
        {
            "course": course,
            "versions": versions,
            "draft": next((v for v in versions if v.is_draft), None),
            "title": f"{course.name} · Versions",
        },
    )


def _apply(request, version) -> str:
    """One edit of the draft, named by ``op``; returns what to tell the admin."""
    op, data = request.POST.get("op", ""), request.POST
    if op == "publish":
        services.version_publish(version, actor=request.user)
        return f"Published version {version.number}: new enrollments go there."
    if op == "add_module":
        module = services.module_add(version, actor=request.user, title=data.get("title", ""))
        return f"Added module {module.position}. {module.title}."
    if op == "rename_module":
        module = access_version_module(version=version, module_id=data.get("module"))
        services.module_rename(module, actor=request.user, title=data.get("title", ""))
        return f"Renamed module {module.position}."
    if op == "delete_module":
        module = access_version_module(version=version, module_id=data.get("module"))
        services.module_delete(module, actor=request.user)
        return f"Deleted module {module.title}."
    if op == "add_item":
        module = access_version_module(version=version, module_id=data.get("module"))
        item = services.item_add(module, actor=request.user, kind=data.get("kind", ""), title=data.get("title", ""))
        return f"Added {item.title} to {module.title}."
    if op == "delete_item":
        item = access_version_item(version=version, item_id=data.get("item"))
        services.item_delete(item, actor=request.user)
        return f"Deleted {item.title}."
    raise ValidationError("Unknown change.")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_LEARNING)
def version_edit(request, tenant_slug, version_id):
    version = access_version(tenant=request.tenant, version_id=version_id)
    here = reverse("courses:version_edit", kwargs={"tenant_slug": tenant_slug, "version_id": version.pk})
    errors, status = [], 200
    if request.method == "POST":
        try:
            message = _apply(request, version)
        except ValidationError as exc:
            errors, status = exc.messages, 422
        else:
            messages.success(request, message)
            return redirect(here)
    return render(
        request,
        "courses/version_edit.html",
        {
            "course": version.course,
            "version": version,
            "modules": version_modules(version=version),
            "kinds": ItemKind.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
            "title": f"{version.course.name} · v{version.number}",
        },
        status=status,
    )
