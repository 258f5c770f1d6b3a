"""URL keywords of the learner pages (course_id is also provided by tests/courses/isolation.py)."""

from tests.isolation import provides

from .factories import course_with_modules


@provides("course_id")
def course(tenant):
    return course_with_modules(tenant, modules=1).course_id


@provides("module_id")
def module(tenant):
    return course_with_modules(tenant, modules=1).modules.first().pk
