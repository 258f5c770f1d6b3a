from tests.isolation import provides

from .factories import CourseFactory, CourseVersionFactory, SalesOrderFactory, UserGroupFactory, course_with_modules


@provides("course_id")
def course(tenant):
    return CourseVersionFactory(tenant=tenant, course=CourseFactory(tenant=tenant)).course_id


@provides("version_id")
def version(tenant):
    return CourseVersionFactory(tenant=tenant, course=CourseFactory(tenant=tenant)).pk


@provides("sales_order_id")
def sales_order(tenant):
    return SalesOrderFactory(tenant=tenant).pk


@provides("user_group_id")
def user_group(tenant):
    return UserGroupFactory(tenant=tenant).pk


@provides("module_id")
def module(tenant):
    return course_with_modules(tenant, modules=1).modules.first().pk
