"""URL keywords of the learner pages not registered elsewhere (course_id: tests/courses)."""

from tests.isolation import provides

from .factories import course_with_modules


@provides("module_id")
def module(tenant):
    return course_with_modules(tenant, modules=1).modules.first().pk
