"""The access matrix of the learner pages (E / X / E past expiry before the sweep / U / none ×
Today, Learn, Practice, Apply, Results), My courses and the home message when the only course
has expired, and the capability check."""

import datetime

import pytest
from django.urls import reverse

from courses.models import CourseEnrollment, ModuleProgress
from tests.conftest import login
from tests.factories import member

from .factories import YESTERDAY, course_with_modules, enroll

pytestmark = pytest.mark.django_db

PAGES = ["today", "learn", "practice", "apply", "results"]
COURSE_PAGES = ["today", "learn", "practice", "apply"]


def url(tenant, page, course_id):
    return reverse(f"courses:learner_{page}", kwargs={"tenant_slug": tenant.slug, "course_id": course_id})


@pytest.fixture
def version(tenant):
    return course_with_modules(tenant, modules=2, name="Negotiation Basics")


@pytest.fixture
def learner(tenant):
    return member(tenant, "Learner", user__full_name="Lee Learner")


def make(case, version, learner):
    if case == "none":
        return None
    if case == "E":
        return enroll(version, learner)
    if case == "X":
        return enroll(
            version,
            learner,
            status="X",
            end_date=YESTERDAY,
            expired_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
        )
    if case == "E-past-expiry":  # the sweep has not written the X yet
        return enroll(version, learner, status="E", end_date=YESTERDAY)
    if case == "E-past-manual":
        return enroll(version, learner, status="E", manual=YESTERDAY)
    if case == "U":
        return enroll(version, learner, status="U")
    raise AssertionError(case)


EXPECTED = {
    "E": {p: 200 for p in PAGES},
    "X": {**{p: 403 for p in COURSE_PAGES}, "results": 200},
    "E-past-expiry": {**{p: 403 for p in COURSE_PAGES}, "results": 200},
    "E-past-manual": {**{p: 403 for p in COURSE_PAGES}, "results": 200},
    "U": {p: 403 for p in PAGES},
    "none": {p: 403 for p in PAGES},
}


@pytest.mark.parametrize("case", list(EXPECTED))
@pytest.mark.parametrize("page", PAGES)
def test_access_matrix(client, tenant, version, learner, case, page):
    make(case, version, learner)
    response = login(client, learner).get(url(tenant, page, version.course_id))
    assert response.status_code == EXPECTED[case][page]
    body = response.content.decode()
    if response.status_code == 403:
        if case.startswith(("X", "E-past")):
            assert "Your access to this course has expired" in body
            assert url(tenant, "results", version.course_id) in body
        else:
            assert "You are not enrolled in this course" in body
            assert url(tenant, "results", version.course_id) not in body
    else:
        assert "Negotiation Basics" in body


def test_the_sweep_changes_nothing_for_access(client, tenant, version, learner):
    from courses.services.expiry import expire_due_enrollments

    enrollment = make("E-past-expiry", version, learner)
    login(client, learner)
    before = [client.get(url(tenant, p, version.course_id)).status_code for p in PAGES]
    expire_due_enrollments(tenant=tenant)
    enrollment.refresh_from_db()
    assert enrollment.status == "X"
    after = [client.get(url(tenant, p, version.course_id)).status_code for p in PAGES]
    assert before == after == [403, 403, 403, 403, 200]


def test_pages_show_the_course_content(client, tenant, version, learner):
    enroll(version, learner)
    login(client, learner)
    assert "Up next today" in client.get(url(tenant, "today", version.course_id)).content.decode()
    learn = client.get(url(tenant, "learn", version.course_id)).content.decode()
    assert "Module 1" in learn and "Mark module complete" in learn
    assert "Practice 2" in client.get(url(tenant, "practice", version.course_id)).content.decode()
    assert "Apply 1" in client.get(url(tenant, "apply", version.course_id)).content.decode()
    results = client.get(url(tenant, "results", version.course_id)).content.decode()
    assert "0 / 3" in results


def test_learner_completes_a_module_from_learn(client, tenant, version, learner):
    enrollment = enroll(version, learner)
    module = version.modules.get(position=1)
    login(client, learner)
    complete = reverse(
        "courses:learner_complete_module",
        kwargs={"tenant_slug": tenant.slug, "course_id": version.course_id, "module_id": module.pk},
    )
    response = client.post(complete, follow=True)
    assert response.status_code == 200
    assert "Completed Module 1" in response.content.decode()
    progress = ModuleProgress.objects.get(learner=learner, module=module)
    assert progress.completed_at is not None
    results = client.get(url(tenant, "results", version.course_id)).content.decode()
    assert "1 / 3" in results
    # Twice: same row, nothing new.
    client.post(complete)
    assert ModuleProgress.objects.filter(learner=enrollment.learner).count() == 1


def test_expired_learner_cannot_complete_a_module(client, tenant, version, learner):
    make("E-past-expiry", version, learner)
    module = version.modules.get(position=1)
    response = login(client, learner).post(
        reverse(
            "courses:learner_complete_module",
            kwargs={"tenant_slug": tenant.slug, "course_id": version.course_id, "module_id": module.pk},
        )
    )
    assert response.status_code == 403
    assert not ModuleProgress.objects.exists()


def test_final_assessment_stays_locked_until_the_other_modules_are_done(client, tenant, version, learner):
    enroll(version, learner)
    final = version.modules.get(position=3)
    login(client, learner)
    client.post(
        reverse(
            "courses:learner_complete_module",
            kwargs={"tenant_slug": tenant.slug, "course_id": version.course_id, "module_id": final.pk},
        ),
        {"score": "90"},
    )
    assert not ModuleProgress.objects.filter(module=final).exists()


def test_only_expired_course_shows_the_message_on_home_and_my_courses(client, tenant, version, learner):
    make("E-past-expiry", version, learner)
    login(client, learner)
    results = url(tenant, "results", version.course_id)
    for page in (
        reverse("workspace_home", kwargs={"tenant_slug": tenant.slug}),
        reverse("courses:learner_courses", kwargs={"tenant_slug": tenant.slug}),
    ):
        body = client.get(page).content.decode()
        assert "Your course has expired." in body
        assert "Negotiation Basics" in body
        assert results in body


def test_no_message_while_another_course_is_active(client, tenant, version, learner):
    make("X", version, learner)
    other = course_with_modules(tenant, modules=1, name="Closing Skills")
    enroll(other, learner)
    login(client, learner)
    for page in (
        reverse("workspace_home", kwargs={"tenant_slug": tenant.slug}),
        reverse("courses:learner_courses", kwargs={"tenant_slug": tenant.slug}),
    ):
        body = client.get(page).content.decode()
        assert "Your course has expired." not in body
        assert "badge-expired" in body and "Closing Skills" in body


def test_unenrolled_course_is_not_listed(client, tenant, version, learner):
    make("U", version, learner)
    body = login(client, learner).get(reverse("courses:learner_courses", kwargs={"tenant_slug": tenant.slug}))
    assert "Negotiation Basics" not in body.content.decode()
    assert "You are not enrolled in any course" in body.content.decode()


def test_expired_learner_can_log_in(client, tenant, version, learner):
    from tests.factories import PASSWORD

    make("X", version, learner)
    response = client.post(reverse("login"), {"username": learner.user.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user == learner.user
    assert "Your course has expired." in response.content.decode()


def test_inactive_member_cannot_open_anything(client, tenant, version, learner):
    make("E", version, learner)
    learner.is_active = False
    learner.save()
    assert login(client, learner).get(url(tenant, "results", version.course_id)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_role_without_learn_gets_403(client, tenant, version, page):
    rep = member(tenant, "Sales Rep")
    assert login(client, rep).get(url(tenant, page, version.course_id)).status_code == 403


def test_my_courses_query_count_is_fixed(client, tenant, learner, django_assert_num_queries):
    login(client, learner)
    page = reverse("courses:learner_courses", kwargs={"tenant_slug": tenant.slug})
    for n in (2, 4):
        while CourseEnrollment.objects.filter(learner=learner).count() < n * 3 // 2:
            enroll(course_with_modules(tenant, modules=1), learner)
        # Session, membership with its user; the menu's "has courses"; the enrollments with their counts.
        with django_assert_num_queries(4):
            assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_course_page_query_count_is_fixed(client, tenant, learner, page, django_assert_num_queries):
    from .factories import ModuleItemFactory

    version = course_with_modules(tenant, modules=2)
    enrollment = enroll(version, learner)
    login(client, learner)
    for extra in (0, 4):
        for position in range(extra):
            module = version.modules.create(tenant=tenant, position=100 + position + extra, title=f"More {position}")
            ModuleItemFactory(module=module, position=1)
            ModuleProgress.objects.create(tenant=tenant, learner=learner, module=module)
        # Session, membership with its user; the menu's "has courses"; course, enrollment; modules, items, progress.
        with django_assert_num_queries(8):
            assert client.get(url(tenant, page, enrollment.course_id)).status_code == 200
