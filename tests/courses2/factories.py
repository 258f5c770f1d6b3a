"""Builders for the learner, coach and dashboard tests (on top of tests/courses/factories.py)."""

import datetime

import factory

from courses.models import ItemKind, ModuleItem
from tests.courses.factories import (
    TODAY,
    CourseEnrollmentFactory,
    CourseFactory,
    CourseVersionFactory,
    ModuleFactory,
    SalesOrderFactory,
)


class ModuleItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModuleItem

    tenant = factory.SelfAttribute("module.tenant")
    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = ItemKind.LEARN
    title = factory.Sequence(lambda n: f"Item {n}")


def course_with_modules(tenant, *, modules: int = 3, assessment: bool = True, name: str | None = None):
    """A course (version 1) with ``modules`` modules of a Learn, a Practice and an Apply item
    each, plus a final assessment module when ``assessment``. Returns the version."""
    course = CourseFactory(tenant=tenant, **({"name": name} if name else {}))
    version = CourseVersionFactory(tenant=tenant, course=course)
    for position in range(1, modules + 1):
        module = ModuleFactory(tenant=tenant, version=version, position=position, title=f"Module {position}")
        for i, kind in enumerate((ItemKind.LEARN, ItemKind.PRACTICE, ItemKind.APPLY), start=1):
            ModuleItemFactory(module=module, position=i, kind=kind, title=f"{kind.label} {position}")
    if assessment:
        module = ModuleFactory(tenant=tenant, version=version, position=modules + 1, title="Final assessment")
        ModuleItemFactory(module=module, position=1, kind=ItemKind.ASSESSMENT, title="Final exam")
    return version


def enroll(version, learner, *, status="E", end_date=None, manual=None, **kwargs):
    """An enrollment of ``learner`` in ``version`` following a sales order ending ``end_date``
    (default: next year)."""
    order = SalesOrderFactory(tenant=version.tenant, end_date=end_date or datetime.date(2027, 6, 30))
    return CourseEnrollmentFactory(
        tenant=version.tenant,
        version=version,
        course=version.course,
        learner=learner,
        sales_order=order,
        status=status,
        manual_expiration_date=manual,
        **kwargs,
    )


YESTERDAY = TODAY - datetime.timedelta(days=1)
