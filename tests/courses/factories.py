"""Factories of the courses app; every one takes its tenant from its parent."""

import datetime

import factory

from courses.models import (
    Course,
    CourseEnrollment,
    CourseVersion,
    ItemKind,
    Module,
    ModuleItem,
    ModuleProgress,
    SalesOrder,
    UserGroup,
    UserGroupMember,
)
from tenancy.models import Membership, User
from tests.clock import TODAY
from tests.factories import MembershipFactory, RoleFactory, TenantFactory


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Course {n}")


class CourseVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseVersion

    tenant = factory.SubFactory(TenantFactory)
    course = factory.SubFactory(CourseFactory, tenant=factory.SelfAttribute("..tenant"))
    number = 1
    is_current = True


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    tenant = factory.SubFactory(TenantFactory)
    version = factory.SubFactory(CourseVersionFactory, tenant=factory.SelfAttribute("..tenant"))
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n}")


class SalesOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesOrder

    tenant = factory.SubFactory(TenantFactory)
    tran_id = factory.Sequence(lambda n: f"SO{1000 + n}")
    customer = "Acme Corp"
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 6, 30)
    status = "Pending Fulfillment"


class LearnerFactory(MembershipFactory):
    class Params:
        role_name = "Learner"


class CourseEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseEnrollment

    tenant = factory.SubFactory(TenantFactory)
    version = factory.SubFactory(CourseVersionFactory, tenant=factory.SelfAttribute("..tenant"))
    course = factory.SelfAttribute("version.course")
    learner = factory.SubFactory(LearnerFactory, tenant=factory.SelfAttribute("..tenant"))
    sales_order = factory.SubFactory(SalesOrderFactory, tenant=factory.SelfAttribute("..tenant"))
    status = "E"


class ModuleProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModuleProgress

    tenant = factory.SubFactory(TenantFactory)
    module = factory.SubFactory(ModuleFactory, tenant=factory.SelfAttribute("..tenant"))
    learner = factory.SubFactory(LearnerFactory, tenant=factory.SelfAttribute("..tenant"))


class UserGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserGroup

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


def bulk_learners(tenant, n: int) -> list[Membership]:
    """``n`` Learner members of ``tenant``, one INSERT per table (a factory saves each row on
    its own: 6,000 learners took half a minute). Emails at example.test, as LearnerFactory's."""
    role = RoleFactory(tenant=tenant, name="Learner")
    start = User.objects.count()
    emails = [f"learner{start + i:06d}@example.test" for i in range(n)]
    User.objects.bulk_create(User(email=email, full_name=f"Learner {start + i:06d}") for i, email in enumerate(emails))
    users = User.objects.filter(email__in=emails).order_by("email")
    Membership.objects.bulk_create(Membership(tenant=tenant, user=user, role=role) for user in users)
    learners = Membership.objects.filter(tenant=tenant, user__email__in=emails).select_related("user")
    return list(learners.order_by("user__email"))


def add_to_group(group, *learners):
    UserGroupMember.objects.bulk_create(
        UserGroupMember(tenant_id=group.tenant_id, group=group, learner=m) for m in learners
    )


# --- Builders for the learner, coach, dashboard and email tests -----------------------------------


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
