"""Factories of the courses app; every one takes its tenant from its parent."""

import datetime

import factory

from courses.models import (
    Course,
    CourseEnrollment,
    CourseVersion,
    Module,
    ModuleProgress,
    SalesOrder,
    UserGroup,
    UserGroupMember,
)
from tests.clock import TODAY  # noqa: F401 - re-exported: the suite's frozen today
from tests.factories import MembershipFactory, TenantFactory


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


def add_to_group(group, *learners):
    UserGroupMember.objects.bulk_create(
        UserGroupMember(tenant_id=group.tenant_id, group=group, learner=m) for m in learners
    )
