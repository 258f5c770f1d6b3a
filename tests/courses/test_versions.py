"""Issue 16 §2: course versions. Learning > Courses > a course > Versions: a new version starts
as a draft copy of the current one, its modules and items are edited, publishing makes it
current; published versions are not edited; new enrollments go to the latest version;
re-enrolling offers the same version (progress kept, the default) or the latest (start fresh);
the Users panel and the Organization Report show the version."""

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from courses.models import CourseEnrollment, CourseVersion, ModuleProgress
from courses.selectors.courses import last_completed_module
from courses.services.versions import version_publish, version_start_draft
from tests.conftest import login
from tests.factories import member

from .factories import SalesOrderFactory, course_with_modules, enroll

pytestmark = pytest.mark.django_db


def url(tenant, name, **kwargs):
    return reverse(f"courses:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def v1(tenant):
    return course_with_modules(tenant, modules=2, name="Negotiation Basics")


def test_new_version_is_a_draft_copy_then_edited_and_published(admin_client, tenant, v1):
    course = v1.course
    page = admin_client.get(url(tenant, "course_versions", course_id=course.pk))
    assert page.status_code == 200 and "New version (copy of the current one)" in page.content.decode()
    response = admin_client.post(url(tenant, "course_versions", course_id=course.pk))
    draft = CourseVersion.objects.get(course=course, is_draft=True)
    assert response.url == url(tenant, "version_edit", version_id=draft.pk)
    assert draft.number == 2 and not draft.is_current
    assert [m.title for m in draft.modules.order_by("position")] == [m.title for m in v1.modules.order_by("position")]
    assert sum(m.items.count() for m in draft.modules.all()) == sum(m.items.count() for m in v1.modules.all())
    # Asking twice gives the same draft.
    admin_client.post(url(tenant, "course_versions", course_id=course.pk))
    assert CourseVersion.objects.filter(course=course).count() == 2

    edit = url(tenant, "version_edit", version_id=draft.pk)
    admin_client.post(edit, {"op": "add_module", "title": "Closing"})
    closing = draft.modules.get(title="Closing")
    admin_client.post(edit, {"op": "add_item", "module": closing.pk, "kind": "practice", "title": "Role play"})
    first = draft.modules.get(position=1)
    admin_client.post(edit, {"op": "rename_module", "module": first.pk, "title": "Opening"})
    doomed = first.items.first()
    admin_client.post(edit, {"op": "delete_item", "item": doomed.pk})
    assert closing.items.get().title == "Role play"
    assert draft.modules.get(position=1).title == "Opening"
    assert not first.items.filter(pk=doomed.pk).exists()
    assert v1.modules.get(position=1).title == "Module 1"  # the published version is untouched

    bad = admin_client.post(edit, {"op": "add_module", "title": "  "})
    assert bad.status_code == 422 and "Give the module a title." in bad.content.decode()

    admin_client.post(edit, {"op": "publish"})
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert (draft.is_current, draft.is_draft, v1.is_current) == (True, False, False)
    assert ActivityEntry.objects.filter(tenant=tenant, verb="published version").exists()
    refused = admin_client.post(edit, {"op": "add_module", "title": "Late"})
    assert refused.status_code == 422 and "is published" in refused.content.decode()


def test_published_version_is_not_edited(admin_client, tenant, v1):
    response = admin_client.post(url(tenant, "version_edit", version_id=v1.pk), {"op": "add_module", "title": "X"})
    assert response.status_code == 422
    assert v1.modules.count() == 3


def test_module_of_another_version_is_404(admin_client, tenant, v1):
    draft = version_start_draft(v1.course, actor=None)
    other_module = v1.modules.first()
    response = admin_client.post(
        url(tenant, "version_edit", version_id=draft.pk), {"op": "delete_module", "module": other_module.pk}
    )
    assert response.status_code == 404


def test_versions_pages_need_manage_learning(client, tenant, v1):
    login(client, member(tenant, "Client Admin"))
    assert client.get(url(tenant, "course_versions", course_id=v1.course_id)).status_code == 403
    assert client.get(url(tenant, "version_edit", version_id=v1.pk)).status_code == 403


def _publish_v2(v1):
    draft = version_start_draft(v1.course, actor=None)
    return version_publish(draft, actor=None)


def test_new_enrollments_go_to_the_latest_version(admin_client, tenant, v1):
    v2 = _publish_v2(v1)
    person = member(tenant, "Learner")
    order = SalesOrderFactory(tenant=tenant)
    admin_client.post(url(tenant, "enroll", course_id=v1.course_id), {"learners": [person.pk], "sales_order": order.pk})
    assert CourseEnrollment.objects.get(learner=person).version_id == v2.pk


@pytest.mark.parametrize(("choice", "expect_same"), [(None, True), ("same", True), ("latest", False)])
def test_reenroll_same_version_by_default_or_latest(admin_client, tenant, v1, choice, expect_same):
    person = member(tenant, "Learner")
    e = enroll(v1, person, status="U")
    done = v1.modules.get(position=1)
    ModuleProgress.objects.create(tenant=tenant, learner=person, module=done, completed_at=e.enrolled_at)
    v2 = _publish_v2(v1)
    page = admin_client.get(url(tenant, "enroll", course_id=v1.course_id)).content.decode()
    assert "Same version as before (progress kept)" in page and "Latest version (start fresh)" in page
    data = {"learners": [person.pk], "sales_order": e.sales_order_id}
    if choice:
        data["version_choice"] = choice
    assert admin_client.post(url(tenant, "enroll", course_id=v1.course_id), data).status_code == 302
    e.refresh_from_db()
    assert e.status == "E"
    if expect_same:
        assert e.version_id == v1.pk and last_completed_module(enrollment=e) == done
    else:
        assert e.version_id == v2.pk and last_completed_module(enrollment=e) is None
        assert ModuleProgress.objects.filter(learner=person, module=done).exists()  # kept, not deleted


def test_edit_dialog_reenroll_offers_the_version_choice(admin_client, tenant, v1):
    person = member(tenant, "Learner")
    e = enroll(v1, person, status="U")
    v2 = _publish_v2(v1)
    edit = url(tenant, "enrollments_edit", course_id=v1.course_id)
    assert "Same version as before (progress kept)" in admin_client.get(edit, {"enrollment": e.pk}).content.decode()
    admin_client.post(
        edit, {"enrollment": e.pk, "action": "enroll", "sales_order": e.sales_order_id, "version_choice": "latest"}
    )
    e.refresh_from_db()
    assert (e.status, e.version_id) == ("E", v2.pk)


def test_users_panel_and_report_show_the_version(admin_client, tenant, v1):
    enroll(v1, member(tenant, "Learner", user__email="old@acme-test.test"))
    v2 = _publish_v2(v1)
    enroll(v2, member(tenant, "Learner", user__email="new@acme-test.test"))
    panel = admin_client.get(url(tenant, "course_detail", course_id=v1.course_id))
    versions = {r.record.learner.user.email: r.get_cell("version") for r in panel.context["table"].rows}
    assert versions == {"old@acme-test.test": "v1", "new@acme-test.test": "v2"}
    report = admin_client.get(url(tenant, "organization_report")).getvalue().decode().lstrip("\ufeff").splitlines()
    header = report[0].split(",")
    rows = {r.split(",")[1]: dict(zip(header, r.split(","), strict=False)) for r in report[1:]}
    assert rows["old@acme-test.test"]["Version"] == "1" and rows["new@acme-test.test"]["Version"] == "2"


def test_versions_pages_cost_a_fixed_number_of_queries(admin_client, tenant, v1, django_assert_num_queries):
    from .factories import ModuleItemFactory

    draft = version_start_draft(v1.course, actor=None)
    for extra in (2, 6):
        while draft.modules.count() < 3 + extra:
            module = draft.modules.create(tenant=tenant, position=draft.modules.count() + 1, title="More")
            ModuleItemFactory(module=module, position=1)
            enroll(v1, member(tenant, "Learner"))
        # Session, membership with its user; course; versions with counts.
        with django_assert_num_queries(4):
            assert admin_client.get(url(tenant, "course_versions", course_id=v1.course_id)).status_code == 200
        # Session, membership with its user; version; modules; items.
        with django_assert_num_queries(5):
            assert admin_client.get(url(tenant, "version_edit", version_id=draft.pk)).status_code == 200
