"""The Learning tab: course list, the Users panel (filter, query counts), bulk Edit, Enroll,
sales orders (add, edit, CSV import), the NetSuite connection form; capability checks."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from activity.models import ActivityEntry
from common import bulk_import
from courses.access import today_for
from courses.models import CourseEnrollment, NetSuiteConnection, SalesOrder, UserGroupMember
from jobs.models import Job
from tests.conftest import login
from tests.factories import member
from tests.jobs.runner import run_queued

from .factories import (
    CourseEnrollmentFactory,
    CourseFactory,
    CourseVersionFactory,
    LearnerFactory,
    SalesOrderFactory,
    UserGroupFactory,
    add_to_group,
    bulk_learners,
)

pytestmark = pytest.mark.django_db


def url(name, tenant, **kwargs):
    return reverse(f"courses:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def version(tenant):
    return CourseVersionFactory(tenant=tenant, course=CourseFactory(tenant=tenant, name="Consultative Selling"))


@pytest.fixture
def course(version):
    return version.course


def bulk_enroll(tenant, version, n, *, order=None):
    """n enrollments fast (one INSERT per table), each with its own learner."""
    order = order or SalesOrderFactory(tenant=tenant)
    learners = bulk_learners(tenant, n)
    CourseEnrollment.objects.bulk_create(
        CourseEnrollment(tenant=tenant, learner=m, course=version.course, version=version, sales_order=order)
        for m in learners
    )
    return learners


class TestCapabilities:
    @pytest.mark.parametrize("role", ["Learner", "Client Admin", "Manager", "Sales Rep"])
    def test_roles_without_manage_learning_get_403(self, client, tenant, course, role):
        login(client, member(tenant, role))
        for name, kwargs in [
            ("course_list", {}),
            ("course_detail", {"course_id": course.pk}),
            ("enrollments_edit", {"course_id": course.pk}),
            ("sales_order_list", {}),
            ("sales_order_import", {}),
            ("netsuite_settings", {}),
        ]:
            assert client.get(url(name, tenant, **kwargs)).status_code == 403

    def test_a_custom_role_with_manage_learning_gets_in(self, client, tenant, course):
        from tests.factories import RoleFactory

        role = RoleFactory(tenant=tenant, name="Learning Ops", capabilities=["manage_learning"])
        login(client, member(tenant, "Learning Ops", role=role))
        assert client.get(url("course_detail", tenant, course_id=course.pk)).status_code == 200
        assert client.get(url("sales_order_list", tenant)).status_code == 200

    def test_left_pane_shows_learning_entries(self, admin_client, tenant):
        html = admin_client.get(reverse("workspace_home", kwargs={"tenant_slug": tenant.slug})).content.decode()
        assert "Learning" in html and url("course_list", tenant) in html and url("sales_order_list", tenant) in html


class TestUsersPanel:
    def test_lists_letters_sales_order_expiry_and_greys_out_inactive(self, admin_client, tenant, version):
        order = SalesOrderFactory(tenant=tenant, tran_id="SO-777", end_date=datetime.date(2026, 1, 31))
        CourseEnrollmentFactory(tenant=tenant, version=version, sales_order=order, learner__user__email="late@x.test")
        CourseEnrollmentFactory(
            tenant=tenant, version=version, status="U", learner__is_active=False, learner__user__email="gone@x.test"
        )
        response = admin_client.get(url("course_detail", tenant, course_id=version.course_id))
        html = response.content.decode()
        assert response.status_code == 200
        assert "SO-777" in html and "01/31/2026" in html
        assert 'data-status="X"' in html  # E past expiry shows as X before the sweep
        assert 'class="inactive ' in html
        assert "reactivate gone@x.test first" in html
        assert html.count('name="enrollment"') == 1  # the inactive row has no selectable box

    def test_search_for_user_group_and_name(self, admin_client, tenant, version):
        learners = bulk_enroll(tenant, version, 4)
        group = UserGroupFactory(tenant=tenant, name="East")
        add_to_group(group, *learners[:2])
        response = admin_client.get(url("course_detail", tenant, course_id=version.course_id), {"user_group": group.pk})
        assert response.context["table"].paginator.count == 2
        response = admin_client.get(
            url("course_detail", tenant, course_id=version.course_id),
            {"q": learners[3].user.email},
            headers={"HX-Request": "true"},
        )
        assert response.context["table"].paginator.count == 1
        assert b"<html" not in response.content  # the htmx partial only

    def test_status_filter_uses_the_effective_status(self, admin_client, tenant, version):
        ended = SalesOrderFactory(tenant=tenant, end_date=datetime.date(2026, 1, 1))
        bulk_enroll(tenant, version, 2, order=ended)
        bulk_enroll(tenant, version, 3)
        response = admin_client.get(url("course_detail", tenant, course_id=version.course_id), {"status": "X"})
        assert response.context["table"].paginator.count == 2

    def test_export_csv(self, admin_client, tenant, version):
        bulk_enroll(tenant, version, 3)
        response = admin_client.get(url("course_detail", tenant, course_id=version.course_id), {"export": "csv"})
        body = b"".join(response.streaming_content).decode()
        assert body.lstrip("\ufeff").splitlines()[0].startswith("Name,Email,Enrollment,Sales order,Last day of access")
        assert len(body.strip().splitlines()) == 4

    @pytest.mark.parametrize("n", [2000, 6000])
    def test_query_count_is_the_same_at_n_and_3n(self, admin_client, tenant, version, n, django_assert_num_queries):
        learners = bulk_enroll(tenant, version, n)
        group = UserGroupFactory(tenant=tenant)
        add_to_group(group, *learners[: n // 2])
        page = url("course_detail", tenant, course_id=version.course_id)
        with django_assert_num_queries(10):
            response = admin_client.get(page, {"user_group": group.pk, "q": "example"})
        assert response.context["table"].paginator.count == n // 2


class TestBulkEditView:
    def test_dialog_states_the_count_and_save_applies_it(self, admin_client, tenant, version):
        learners = bulk_enroll(tenant, version, 3)
        ids = list(CourseEnrollment.objects.values_list("pk", flat=True))
        order = SalesOrderFactory(tenant=tenant, tran_id="SO-NEXT")
        edit = url("enrollments_edit", tenant, course_id=version.course_id)
        dialog = admin_client.get(edit, {"enrollment": ids[:2]}, headers={"HX-Request": "true"})
        assert b"Edit 2 enrollments" in dialog.content and b"Apply to 2 learners" in dialog.content
        response = admin_client.post(
            edit,
            {
                "enrollment": ids[:2],
                "action": "assign",
                "sales_order": order.pk,
                "manual_expiration_date": "2027-02-01",
            },
        )
        assert response.status_code == 302
        assert CourseEnrollment.objects.filter(sales_order=order, manual_expiration_date="2027-02-01").count() == 2
        assert len(learners) == 3
        messages = [str(m) for m in response.wsgi_request._messages]
        assert messages == ["Updated 2 enrollments in Consultative Selling."]
        assert ActivityEntry.objects.get(tenant=tenant, verb="assigned sales order").count == 2

    def test_all_matching_takes_active_learners_of_the_filter(self, admin_client, tenant, version):
        learners = bulk_enroll(tenant, version, 5)
        group = UserGroupFactory(tenant=tenant)
        add_to_group(group, *learners[:3])
        learners[0].is_active = False
        learners[0].save()
        response = admin_client.get(
            url("enrollments_edit", tenant, course_id=version.course_id),
            {"all_matching": "1", "user_group": group.pk},
            headers={"HX-Request": "true"},
        )
        assert response.context["count"] == 2

    def test_inactive_learner_in_posted_selection_rejected_nothing_applied(self, admin_client, tenant, version):
        learners = bulk_enroll(tenant, version, 3)
        learners[1].is_active = False
        learners[1].save()
        ids = list(CourseEnrollment.objects.values_list("pk", flat=True))
        response = admin_client.post(
            url("enrollments_edit", tenant, course_id=version.course_id),
            {"enrollment": ids, "action": "expire"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422
        assert b"inactive" in response.content and b"Reactivate them first" in response.content
        assert set(CourseEnrollment.objects.values_list("status", flat=True)) == {"E"}
        assert not ActivityEntry.objects.filter(tenant=tenant).exists()

    def test_enroll_action_asks_for_the_sales_order(self, admin_client, tenant, version):
        bulk_enroll(tenant, version, 1)
        ids = list(CourseEnrollment.objects.values_list("pk", flat=True))
        response = admin_client.post(
            url("enrollments_edit", tenant, course_id=version.course_id), {"enrollment": ids, "action": "enroll"}
        )
        assert response.status_code == 422
        assert b"Enrolling asks for the sales order" in response.content

    def test_other_tenants_sales_order_is_not_a_choice(self, admin_client, tenant, other_tenant, version):
        bulk_enroll(tenant, version, 1)
        foreign = SalesOrderFactory(tenant=other_tenant)
        ids = list(CourseEnrollment.objects.values_list("pk", flat=True))
        response = admin_client.post(
            url("enrollments_edit", tenant, course_id=version.course_id),
            {"enrollment": ids, "action": "assign", "sales_order": foreign.pk},
        )
        assert response.status_code == 422
        assert not CourseEnrollment.objects.filter(sales_order=foreign).exists()


def test_enroll_page_by_group(admin_client, tenant, version):
    group = UserGroupFactory(tenant=tenant)
    learners = LearnerFactory.create_batch(3, tenant=tenant)
    add_to_group(group, *learners[:2])
    order = SalesOrderFactory(tenant=tenant)
    response = admin_client.post(
        url("enroll", tenant, course_id=version.course_id), {"user_group": group.pk, "sales_order": order.pk}
    )
    assert response.status_code == 302
    assert CourseEnrollment.objects.filter(course=version.course, status="E").count() == 2
    assert UserGroupMember.objects.count() == 2


def test_enroll_page_requires_a_sales_order(admin_client, tenant, version):
    learner = LearnerFactory(tenant=tenant)
    response = admin_client.post(url("enroll", tenant, course_id=version.course_id), {"learners": [learner.pk]})
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not CourseEnrollment.objects.exists()


def test_course_list(admin_client, tenant, version):
    bulk_enroll(tenant, version, 2)
    response = admin_client.get(url("course_list", tenant))
    assert b"Consultative Selling" in response.content


class TestSalesOrders:
    def test_add_by_hand_and_bad_dates(self, admin_client, tenant):
        data = {"tran_id": "SO-1", "customer": "Acme", "start_date": "2026-01-01", "end_date": "2025-12-31"}
        response = admin_client.post(url("sales_order_add", tenant), data)
        assert b"The end date is before the start date." in response.content
        assert not SalesOrder.objects.exists()
        response = admin_client.post(url("sales_order_add", tenant), {**data, "end_date": "2026-12-31"})
        assert response.status_code == 302
        assert SalesOrder.objects.get().source == "manual"

    def test_duplicate_number_is_refused(self, admin_client, tenant):
        SalesOrderFactory(tenant=tenant, tran_id="SO-1")
        response = admin_client.post(url("sales_order_add", tenant), {"tran_id": "SO-1", "end_date": "2026-12-31"})
        assert b"Another sales order has this number." in response.content

    def test_edit_end_date_moves_followers(self, admin_client, tenant):
        order = SalesOrderFactory(tenant=tenant, end_date=datetime.date(2026, 1, 1))
        swept = CourseEnrollmentFactory(tenant=tenant, sales_order=order, status="X")
        response = admin_client.post(
            url("sales_order_edit", tenant, sales_order_id=order.pk),
            {
                "tran_id": order.tran_id,
                "customer": order.customer,
                "start_date": "2026-01-01",
                "end_date": "2027-01-01",
            },
            follow=True,
        )
        assert b"1 enrollment changed status with the new end date." in response.content
        assert CourseEnrollment.objects.get(pk=swept.pk).status == "E"

    def test_list_and_query_count(self, admin_client, tenant, django_assert_num_queries):
        for n in (5, 15):
            SalesOrderFactory.create_batch(n - SalesOrder.objects.count(), tenant=tenant)
            with django_assert_num_queries(4):  # under a page of orders: counted by reading them
                response = admin_client.get(url("sales_order_list", tenant))
            assert response.status_code == 200


class TestCsvImport:
    """The sales-order import as jobs: upload → the preview job → Confirm → the import job."""

    CSV = "tran_id,customer,start_date,end_date,status\nSO-1,Acme,2026-01-01,2027-01-31,Open\nSO-2,Acme,,12/31/2026,\n"

    def upload(self, client, tenant, text):
        upload = SimpleUploadedFile("orders.csv", text.encode(), content_type="text/csv")
        response = client.post(url("sales_order_import", tenant), {"file": upload}, follow=True)
        assert b'role="progressbar"' in response.content
        assert run_queued() == ["succeeded"]
        return Job.objects.filter(kind="courses.import.sales_orders.preview").latest("pk")

    def confirm(self, client, tenant, preview):
        response = client.post(url("sales_order_import", tenant), {"confirm": preview.pk})
        assert response.status_code == 302
        states = run_queued()
        return states, client.get(response.url)

    def test_preview_then_import(self, admin_client, tenant):
        preview = self.upload(admin_client, tenant, self.CSV)
        assert preview.result_data["totals"] == {"new": 2, "update": 0, "skip": 0, "invalid": 0}
        assert not SalesOrder.objects.exists()  # a preview writes nothing
        page = admin_client.get(url("sales_order_import", tenant), {"job": preview.pk}).content.decode()
        assert "Ready: 2 new, 0 updated, 0 unchanged." in page and 'id="confirm-import"' in page
        states, done = self.confirm(admin_client, tenant, preview)
        assert states == ["succeeded"]
        assert b"Imported sales orders: 2 new, 0 updated, 0 unchanged." in done.content
        assert set(SalesOrder.objects.values_list("tran_id", "end_date", "source")) == {
            ("SO-1", datetime.date(2027, 1, 31), "csv"),
            ("SO-2", datetime.date(2026, 12, 31), "csv"),
        }
        assert ActivityEntry.objects.get(tenant=tenant, verb="imported from CSV").count == 2
        again = self.upload(admin_client, tenant, self.CSV)
        assert again.result_data["totals"]["skip"] == 2

    def test_a_large_import_refreshes_the_orders_statistics(
        self, admin_client, tenant, monkeypatch, django_capture_on_commit_callbacks
    ):
        """As the partner imports do: a tenant's first big load is not planned on the statistics
        of the table before it (two rows stand for 10,000 here)."""
        monkeypatch.setattr(bulk_import, "ANALYZE_AFTER_ROWS", 2)
        analyzed = []
        monkeypatch.setattr(bulk_import, "analyze", analyzed.append)
        preview = self.upload(admin_client, tenant, self.CSV)
        with django_capture_on_commit_callbacks(execute=True):
            states, _ = self.confirm(admin_client, tenant, preview)
        assert states == ["succeeded"] and SalesOrder.objects.count() == 2
        assert analyzed == (["courses_salesorder"] if connection.vendor == "postgresql" else [])

    def test_row_level_errors_and_nothing_imported(self, admin_client, tenant):
        text = "tran_id,end_date,start_date\nSO-1,2027-01-31,\nSO-2,not a date,\nSO-3,2026-01-01,2026-06-01\n"
        text += "SO-1,2027-02-28,\n"
        preview = self.upload(admin_client, tenant, text)
        assert (
            preview.result
            == "3 of 4 rows cannot be imported. Fix the file and upload it again; nothing has been saved."
        )
        errors = {row["line"]: row["errors"] for row in preview.result_data["shown"] if row["errors"]}
        assert errors == {
            3: ["end_date: “not a date” is not a date (use YYYY-MM-DD or MM/DD/YYYY)."],
            4: ["The end date is before the start date."],
            5: ["tran_id: SO-1 is on line 2 already."],
        }
        report = preview.error_report.open("rb").read().decode().splitlines()
        assert report[0] == "line,errors,tran_id,end_date,start_date" and len(report) == 4
        refused = admin_client.post(url("sales_order_import", tenant), {"confirm": preview.pk}, follow=True)
        assert b"Only a preview with no row errors can be imported" in refused.content
        assert not SalesOrder.objects.exists()

    def test_missing_columns_are_refused_next_to_the_field(self, admin_client, tenant):
        upload = SimpleUploadedFile("orders.csv", b"customer,status\nAcme,Open\n", content_type="text/csv")
        response = admin_client.post(url("sales_order_import", tenant), {"file": upload})
        assert b"missing: tran_id, end_date" in response.content and not Job.objects.exists()

    def test_the_size_limit_is_a_setting_with_a_message_next_to_the_field(self, admin_client, tenant, settings):
        settings.IMPORT_MAX_UPLOAD_MB = 1
        big = "tran_id,end_date\n" + "".join(f"SO-{i:07d},2027-01-31\n" for i in range(60_000))
        upload = SimpleUploadedFile("big.csv", big.encode(), content_type="text/csv")
        response = admin_client.post(url("sales_order_import", tenant), {"file": upload})
        assert response.status_code == 200
        size = len(big) / 1024 / 1024
        assert f"The file is {size:.1f} MB; the limit is 1 MB." in response.content.decode()
        assert not Job.objects.exists()

    def test_import_moving_an_end_date_moves_followers(self, admin_client, tenant):
        order = SalesOrderFactory(tenant=tenant, tran_id="SO-1", end_date=datetime.date(2026, 1, 1))
        swept = CourseEnrollmentFactory(tenant=tenant, sales_order=order, status="X")
        preview = self.upload(admin_client, tenant, "tran_id,end_date\nSO-1,2027-05-01\n")
        assert preview.result_data["totals"]["update"] == 1
        assert self.confirm(admin_client, tenant, preview)[0] == ["succeeded"]
        assert CourseEnrollment.objects.get(pk=swept.pk).status == "E"

    def test_a_netsuite_id_belongs_to_one_order(self, admin_client, tenant):
        SalesOrderFactory(tenant=tenant, tran_id="SO-9", netsuite_id="77")
        text = "tran_id,end_date,netsuite_id\nSO-9,2027-01-31,77\nSO-1,2027-01-31,77\nSO-2,2027-01-31,88\n"
        text += "SO-3,2027-01-31,88\n"
        preview = self.upload(admin_client, tenant, text)
        errors = [row["errors"] for row in preview.result_data["shown"] if row["errors"]]
        assert errors == [
            ["netsuite_id: “77” is the NetSuite id of sales order SO-9 already."],
            ["netsuite_id: “88” is the NetSuite id of sales order SO-2 already."],
        ]

    def test_cancel_before_the_import_commits_leaves_nothing(self, admin_client, tenant, monkeypatch):
        text = "tran_id,end_date\n" + "".join(f"SO-{i},2027-01-31\n" for i in range(2500))
        preview = self.upload(admin_client, tenant, text)
        import jobs.imports

        real = jobs.imports.Summary.add

        def add_then_click_cancel(summary, *args):  # Cancel pressed while the second chunk is saved
            real(summary, *args)
            if summary.rows == 2000:
                Job.objects.filter(kind__endswith=".confirm").update(cancel_requested=True)

        monkeypatch.setattr(jobs.imports.Summary, "add", add_then_click_cancel)
        states, done = self.confirm(admin_client, tenant, preview)
        assert states == ["cancelled"] and b"nothing was saved" in done.content
        assert not SalesOrder.objects.exists()

    def test_another_workspace_sees_no_import_and_keeps_its_orders(self, admin_client, client, tenant, other_tenant):
        theirs = SalesOrderFactory(tenant=other_tenant, tran_id="SO-1", end_date=datetime.date(2026, 1, 1))
        preview = self.upload(admin_client, tenant, "tran_id,end_date\nSO-1,2027-05-01\n")
        assert preview.result_data["totals"]["new"] == 1, "their SO-1 is not ours to update"
        assert preview.input_file.name.startswith(f"tenants/{tenant.pk}/jobs/")
        self.confirm(admin_client, tenant, preview)
        assert SalesOrder.objects.get(pk=theirs.pk).end_date == datetime.date(2026, 1, 1)
        login(client, member(other_tenant, "Administrator"))
        assert client.get(url("sales_order_import", other_tenant), {"job": preview.pk}).status_code == 404
        assert client.post(url("sales_order_import", other_tenant), {"confirm": preview.pk}).status_code == 404
        assert (
            client.get(
                reverse("jobs:job_detail", kwargs={"tenant_slug": other_tenant.slug, "job_id": preview.pk})
            ).status_code
            == 404
        )


class TestNetSuiteSettings:
    def test_secrets_are_write_only(self, admin_client, tenant):
        data = {
            "account_id": "1234567",
            "auth_method": "tba",
            "consumer_key": "ck",
            "consumer_secret": "very-secret-1",
            "token_id": "tid",
            "token_secret": "very-secret-2",
            "is_enabled": "on",
        }
        assert admin_client.post(url("netsuite_settings", tenant), data).status_code == 302
        page = admin_client.get(url("netsuite_settings", tenant)).content.decode()
        assert "very-secret" not in page and "A value is stored" in page
        # Saving again with blank secrets keeps them.
        data.update(consumer_secret="", token_secret="", account_id="7654321")
        assert admin_client.post(url("netsuite_settings", tenant), data).status_code == 302
        conn = NetSuiteConnection.objects.get(tenant=tenant)
        assert (conn.account_id, conn.consumer_secret, conn.token_secret) == (
            "7654321",
            "very-secret-1",
            "very-secret-2",
        )
        assert "very-secret" not in str(list(ActivityEntry.objects.values_list("changes", flat=True)))

    def test_oauth2_needs_client_credentials(self, admin_client, tenant):
        response = admin_client.post(url("netsuite_settings", tenant), {"account_id": "1", "auth_method": "oauth2"})
        assert response.status_code == 200
        assert b"Required for this authentication method." in response.content


class TestUserGroups:
    def test_create_and_edit_members(self, admin_client, tenant):
        a, b, c = LearnerFactory.create_batch(3, tenant=tenant)
        response = admin_client.post(url("user_group_add", tenant), {"name": "East", "learners": [a.pk, b.pk]})
        assert response.status_code == 302
        from courses.models import UserGroup

        group = UserGroup.objects.get(tenant=tenant)
        assert set(group.memberships.values_list("learner_id", flat=True)) == {a.pk, b.pk}
        response = admin_client.post(
            url("user_group_edit", tenant, user_group_id=group.pk), {"name": "East Region", "learners": [b.pk, c.pk]}
        )
        assert response.status_code == 302
        group.refresh_from_db()
        assert group.name == "East Region"
        assert set(group.memberships.values_list("learner_id", flat=True)) == {b.pk, c.pk}
        entry = ActivityEntry.objects.filter(tenant=tenant, object_type="UserGroup").first()
        assert entry.changes["added"] == [None, 1] and entry.changes["removed"] == [1, None]

    def test_duplicate_name(self, admin_client, tenant):
        UserGroupFactory(tenant=tenant, name="East")
        response = admin_client.post(url("user_group_add", tenant), {"name": "east"})
        assert b"A user group with this name already exists." in response.content

    def test_list_query_count(self, admin_client, tenant, django_assert_num_queries):
        learners = LearnerFactory.create_batch(3, tenant=tenant)
        for batch in (3, 6):  # 3 groups, then 9
            for group in UserGroupFactory.create_batch(batch, tenant=tenant):
                add_to_group(group, *learners)
            with django_assert_num_queries(3):  # under a page of groups: counted by reading them
                assert admin_client.get(url("user_group_list", tenant)).status_code == 200


def test_sync_now_against_the_fake_server(admin_client, tenant, httpserver):
    from .fake_netsuite import FakeNetSuite, record

    fake = FakeNetSuite(httpserver)
    fake.add(record(9, "SO-9", "2027-01-31", modified="2026-11-20T10:00:00Z"))
    creds = {"consumer_key": "k", "consumer_secret": "s", "token_id": "t", "token_secret": "u"}
    NetSuiteConnection.objects.create(tenant=tenant, account_id="1234567", base_url=fake.url, **creds)
    dialog = admin_client.get(url("sales_order_sync", tenant), headers={"HX-Request": "true"})
    assert b"Sync sales orders from NetSuite?" in dialog.content
    response = admin_client.post(url("sales_order_sync", tenant), follow=True)
    assert b"NetSuite sync started" in response.content and b'role="progressbar"' in response.content
    from jobs.models import Job
    from jobs.services import run_job

    job = Job.objects.get(tenant=tenant, kind="courses.netsuite_sync")
    assert run_job(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.result == "Synced sales orders: 1 new, 0 updated. 1 page fetched, 1 sales order changed."
    assert job.result_data == {"pages": 1, "created": 1, "updated": 0} and (job.done, job.total) == (1, 1)
    assert SalesOrder.objects.get(tenant=tenant).tran_id == "SO-9"
    page = admin_client.get(url("sales_order_list", tenant)).content.decode()
    assert "NetSuite sync: recent runs" in page and "1 sales order changed" in page


def test_sync_now_refused_without_an_enabled_connection(admin_client, tenant):
    dialog = admin_client.get(url("sales_order_sync", tenant), headers={"HX-Request": "true"})
    assert b"Set up and enable the NetSuite connection first." in dialog.content
    admin_client.post(url("sales_order_sync", tenant))
    from jobs.models import Job

    assert not Job.objects.filter(tenant=tenant).exists()


def test_home_panel_counts_effective_statuses_and_orders_ending_soon(admin_client, client, tenant, version):
    soon = SalesOrderFactory(tenant=tenant, tran_id="SO-SOON", end_date=today_for(tenant) + datetime.timedelta(days=5))
    ended = SalesOrderFactory(tenant=tenant, end_date=datetime.date(2026, 1, 1))
    bulk_enroll(tenant, version, 2, order=soon)
    bulk_enroll(tenant, version, 3, order=ended)  # stored E, effectively X
    home = reverse("workspace_home", kwargs={"tenant_slug": tenant.slug})
    panel = next(p for p in admin_client.get(home).context["panels"] if p["template"] == "courses/home_panel.html")
    assert panel["counts"] == {"enrolled": 2, "expired": 3}
    assert [o.tran_id for o in panel["ending"]] == ["SO-SOON"]
    assert panel["ending"][0].following == 2
    login(client, member(tenant, "Learner"))
    assert all(p["template"] != "courses/home_panel.html" for p in client.get(home).context["panels"])
