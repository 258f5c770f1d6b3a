"""Writes of Learning > Courses > a course > Versions: start a new version as a draft copy of the
current one, edit the draft's modules and items, publish it (it becomes current: new enrollments
go there; existing ones stay in theirs with their progress). Published versions are never edited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from activity.models import Action
from activity.services import record

from ..models import Course, CourseVersion, ItemKind, Module, ModuleItem


def _lock_course(course: Course) -> None:
    """Two admins starting or publishing a version of one course at once queue here."""
    Course.objects.select_for_update().filter(tenant_id=course.tenant_id, pk=course.pk).values_list("pk").first()


@transaction.atomic
def version_start_draft(course: Course, *, actor) -> CourseVersion:
    """A draft of the next version, copying the current version's modules and items. Safe to
    call twice: an existing draft is returned as it is."""
    _lock_course(course)
    versions = CourseVersion.objects.filter(tenant_id=course.tenant_id, course=course)
    draft = versions.filter(is_draft=True).first()
    if draft is not None:
        return draft
    source = versions.filter(is_current=True).first()
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = CourseVersion.objects.create(
        tenant_id=course.tenant_id, course=course, number=number, is_current=False, is_draft=True
    )
    if source is not None:
        modules = list(Module.objects.filter(tenant_id=course.tenant_id, version=source).order_by("position"))
        copies = Module.objects.bulk_create(
            Module(tenant_id=m.tenant_id, version=draft, position=m.position, title=m.title, summary=m.summary)
            for m in modules
        )
        by_old = {old.pk: new for old, new in zip(modules, copies, strict=True)}
        ModuleItem.objects.bulk_create(
            ModuleItem(
                tenant_id=i.tenant_id,
                module=by_old[i.module_id],
                position=i.position,
                kind=i.kind,
                title=i.title,
                body=i.body,
                unlocks_on=i.unlocks_on,
            )
            for i in ModuleItem.objects.filter(tenant_id=course.tenant_id, module__version=source)
        )
    record(
        tenant=course.tenant,
        actor=actor,
        action=Action.CREATE,
        target=draft,
        verb="started version draft",
        changes={"number": [None, number], "copied_from": [None, source.number if source else None]},
    )
    return draft


def _editable(version: CourseVersion) -> None:
    if not version.is_draft:
        raise ValidationError(
            f"Version {version.number} is published: learners' progress points at its modules, so it is not "
            "edited. Start a new version instead."
        )


@transaction.atomic
def version_publish(version: CourseVersion, *, actor, now=None) -> CourseVersion:
    """The draft becomes the current version. Idempotent: publishing a published version changes
    nothing."""
    _lock_course(version.course)
    version = CourseVersion.objects.select_for_update().get(tenant_id=version.tenant_id, pk=version.pk)
    if not version.is_draft:
        return version
    if not Module.objects.filter(tenant_id=version.tenant_id, version=version).exists():
        raise ValidationError("Add at least one module before publishing this version.")
    CourseVersion.objects.filter(tenant_id=version.tenant_id, course_id=version.course_id, is_current=True).update(
        is_current=False
    )
    version.is_draft, version.is_current, version.published_at = False, True, now or timezone.now()
    version.save(update_fields=["is_draft", "is_current", "published_at"])
    record(
        tenant=version.course.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=version,
        verb="published version",
        changes={"number": [None, version.number]},
    )
    return version


@transaction.atomic
def module_add(version: CourseVersion, *, actor, title: str, summary: str = "") -> Module:
    _editable(version)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the module a title."})
    last = Module.objects.filter(tenant_id=version.tenant_id, version=version).aggregate(p=Max("position"))["p"] or 0
    module = Module(tenant_id=version.tenant_id, version=version, position=last + 1, title=title, summary=summary)
    module.full_clean()
    module.save()
    record(
        tenant=version.course.tenant, actor=actor, action=Action.CREATE, target=module, changes={"title": [None, title]}
    )
    return module


@transaction.atomic
def module_rename(module: Module, *, actor, title: str) -> Module:
    _editable(module.version)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the module a title."})
    if title != module.title:
        old, module.title = module.title, title
        module.save(update_fields=["title"])
        record(
            tenant=module.version.course.tenant,
            actor=actor,
            action=Action.UPDATE,
            target=module,
            changes={"title": [old, title]},
        )
    return module


@transaction.atomic
def module_delete(module: Module, *, actor) -> None:
    _editable(module.version)
    record(
        tenant=module.version.course.tenant,
        actor=actor,
        action=Action.DELETE,
        target=module,
        changes={"title": [module.title, None]},
    )
    module.delete()


@transaction.atomic
def item_add(module: Module, *, actor, kind: str, title: str) -> ModuleItem:
    _editable(module.version)
    title = title.strip()
    if kind not in ItemKind.values:
        raise ValidationError({"kind": "Choose Learn, Practice, Apply or Final assessment."})
    if not title:
        raise ValidationError({"title": "Give the item a title."})
    last = ModuleItem.objects.filter(tenant_id=module.tenant_id, module=module).aggregate(p=Max("position"))["p"] or 0
    item = ModuleItem(tenant_id=module.tenant_id, module=module, position=last + 1, kind=kind, title=title)
    item.full_clean()
    item.save()
    record(
        tenant=module.version.course.tenant,
        actor=actor,
        action=Action.CREATE,
        target=item,
        changes={"title": [None, title]},
    )
    return item


@transaction.atomic
def item_delete(item: ModuleItem, *, actor) -> None:
    _editable(item.module.version)
    record(
        tenant=item.module.version.course.tenant,
        actor=actor,
        action=Action.DELETE,
        target=item,
        changes={"title": [item.title, None]},
    )
    item.delete()
