"""Undo reset: the acceptances a Reset Enrollments hid become current again, except for users who
enrolled again since; one UPDATE, one activity entry, idempotent; only the newest standing reset
of a plan can be undone."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from enrollments.models import EnrollmentReset, PlanEnrollment
from enrollments.services import enroll_in_plan, reset_enrollments, undo_reset_enrollments
from plans.models import PlanBeneficiary
from tests.conftest import login
from tests.factories import member
from tests.plans.factories import PlanDocumentFactory, PlanFactory, TeamFactory, TeamMemberFactory
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

pytestmark = pytest.mark.django_db


def u(tenant, name, **kw):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def plan(tenant):
    plan = PlanFactory(tenant=tenant, name="FY26 Enterprise Plan")
    PlanDocumentFactory(plan=plan)
    return plan


@pytest.fixture
def reps(tenant, plan):
    users = bulk_reps(tenant, 12)
    bulk_beneficiaries(plan, users, enroll_every=3)  # users 0, 3, 6, 9 enrolled
    return users


def current(plan):
    return PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True)


class TestUndoResetEnrollments:
    def test_brings_back_the_batch_marks_it_and_records_once(self, plan, reps, admin_member):
        before = set(current(plan).values_list("pk", flat=True))
        reset_enrollments(plan, actor=admin_member.user)
        batch = EnrollmentReset.objects.get(plan=plan)

        result = undo_reset_enrollments(batch, actor=admin_member.user)

        assert (result.restored, result.enrolled_again, result.already_undone) == (4, 0, False)
        assert set(current(plan).values_list("pk", flat=True)) == before
        assert not current(plan).filter(restored_from__isnull=True).exists()
        batch.refresh_from_db()
        assert batch.undone_by == admin_member.user and batch.undone_at is not None
        assert (batch.restored, batch.enrolled_again) == (4, 0)
        entry = ActivityEntry.objects.get(verb="undo reset enrollments")
        assert entry.count == 4 and entry.changes == {"enrolled": [0, 4], "reset_batch": batch.pk, "enrolled_again": 0}

        again = undo_reset_enrollments(batch, actor=admin_member.user)
        assert again.already_undone and again.restored == 0
        assert ActivityEntry.objects.filter(verb="undo reset enrollments").count() == 1
        assert current(plan).count() == 4

    def test_who_enrolled_again_keeps_the_new_acceptance(self, plan, reps, admin_member):
        reset_enrollments(plan, actor=admin_member.user)
        batch = EnrollmentReset.objects.get(plan=plan)
        new = enroll_in_plan(plan=plan, user=reps[3], accepted=True)

        result = undo_reset_enrollments(batch, actor=admin_member.user)

        assert (result.restored, result.enrolled_again) == (3, 1)
        assert current(plan).count() == 4
        assert current(plan).get(user=reps[3]) == new
        assert PlanEnrollment.objects.filter(plan=plan, user=reps[3], reset_batch=batch).count() == 1

    def test_only_the_newest_standing_reset_can_be_undone(self, plan, reps, admin_member):
        reset_enrollments(plan, actor=admin_member.user)
        enroll_in_plan(plan=plan, user=reps[1], accepted=True)
        reset_enrollments(plan, actor=admin_member.user)
        older, newer = EnrollmentReset.objects.filter(plan=plan).order_by("pk")

        with pytest.raises(ValidationError, match=f"Reset #{newer.pk} is more recent"):
            undo_reset_enrollments(older, actor=admin_member.user)
        assert not current(plan).exists()
        assert not ActivityEntry.objects.filter(verb="undo reset enrollments").exists()

        assert undo_reset_enrollments(newer, actor=admin_member.user).restored == 1  # reps[1]
        result = undo_reset_enrollments(older, actor=admin_member.user)  # now the newest standing
        assert (result.restored, result.enrolled_again) == (4, 0)
        assert current(plan).count() == 5

    def test_restored_acceptances_keep_their_terms_version(self, admin_client, tenant, plan, reps, admin_member):
        PlanEnrollment.objects.filter(plan=plan).update(document=plan.documents.get())  # signed v1
        reset_enrollments(plan, actor=admin_member.user)
        PlanDocumentFactory(plan=plan, version=2)  # the terms changed after the reset
        batch = EnrollmentReset.objects.get(plan=plan)
        dialog = admin_client.get(u(tenant, "enrollments:undo_reset", reset_id=batch.pk))
        assert b"4 of the acceptances that come back were signed for an older version" in dialog.content

        undo_reset_enrollments(batch, actor=admin_member.user)

        assert set(current(plan).values_list("document__version", flat=True)) == {1}
        tab = admin_client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk))
        assert b"4 of 12 enrolled" in tab.content
        assert tab.content.count(b"enrolled on an older version") == 4


class TestUndoResetView:
    def test_dialog_counts_then_undo_gives_back_the_same_enrolled_count(self, admin_client, tenant, plan, reps):
        tab = u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)
        assert b"4 of 12 enrolled" in admin_client.get(tab).content
        admin_client.post(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk))
        batch = EnrollmentReset.objects.get(plan=plan)
        enroll_in_plan(plan=plan, user=reps[0], accepted=True)
        page = admin_client.get(tab)
        undo = u(tenant, "enrollments:undo_reset", reset_id=batch.pk)
        assert b'id="undo-reset"' in page.content and undo.encode() in page.content

        dialog = admin_client.get(undo, headers={"HX-Request": "true"})
        assert b"<dialog" in dialog.content
        assert f"Undo reset #{batch.pk} of FY26 Enterprise Plan".encode() in dialog.content
        assert b"3 acceptances come back as current enrollments." in dialog.content
        assert b"1 beneficiary has enrolled again since" in dialog.content

        response = admin_client.post(undo, follow=True)
        assert f"Undid reset #{batch.pk}: 3 enrollments restored. 1 had enrolled again since".encode() in (
            response.content
        )
        assert b"4 of 12 enrolled" in response.content
        assert b'id="undo-reset"' not in response.content  # nothing left to undo

        again = admin_client.get(undo)
        assert f"Reset #{batch.pk} was already undone".encode() in again.content
        assert b'id="confirm-button"' not in again.content
        response = admin_client.post(undo, follow=True)
        assert f"Reset #{batch.pk} was already undone".encode() in response.content
        assert ActivityEntry.objects.filter(verb="undo reset enrollments").count() == 1

    def test_an_older_reset_is_refused_with_the_reason(self, admin_client, tenant, plan, reps, admin_member):
        reset_enrollments(plan, actor=admin_member.user)
        enroll_in_plan(plan=plan, user=reps[1], accepted=True)
        reset_enrollments(plan, actor=admin_member.user)
        older, newer = EnrollmentReset.objects.filter(plan=plan).order_by("pk")
        undo = u(tenant, "enrollments:undo_reset", reset_id=older.pk)
        dialog = admin_client.get(undo)
        assert f"Reset #{newer.pk} is more recent and still stands".encode() in dialog.content
        assert b'id="confirm-button"' not in dialog.content
        response = admin_client.post(undo, follow=True)
        assert f"Reset #{newer.pk} is more recent".encode() in response.content
        assert not current(plan).exists()

    def test_the_tab_offers_to_undo_the_newest_reset_only_while_it_stands(
        self, admin_client, tenant, plan, reps, admin_member
    ):
        tab = u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)
        assert b'id="undo-reset"' not in admin_client.get(tab).content  # never reset
        reset_enrollments(plan, actor=admin_member.user)
        enroll_in_plan(plan=plan, user=reps[1], accepted=True)
        reset_enrollments(plan, actor=admin_member.user)
        older, newer = EnrollmentReset.objects.filter(plan=plan).order_by("pk")
        page = admin_client.get(tab).content
        assert u(tenant, "enrollments:undo_reset", reset_id=newer.pk).encode() in page
        assert u(tenant, "enrollments:undo_reset", reset_id=older.pk).encode() not in page
        undo_reset_enrollments(newer, actor=admin_member.user)
        assert b'id="undo-reset"' not in admin_client.get(tab).content  # the newest is undone

    def test_history_lists_undo_per_reset_and_the_undone_state(self, admin_client, tenant, plan, reps, admin_member):
        reset_enrollments(plan, actor=admin_member.user)
        batch = EnrollmentReset.objects.get(plan=plan)
        history = u(tenant, "enrollments:enrollment_history", plan_id=plan.pk)
        assert b"undo-reset" in admin_client.get(history).content
        undo_reset_enrollments(batch, actor=admin_member.user)
        page = admin_client.get(history, {"batch": batch.pk})
        assert b"undo-reset" not in page.content
        assert b"4 restored" in page.content
        assert page.content.count(f"undo of reset #{batch.pk}".encode()) == 4

    def test_the_reset_entry_offers_undo_and_the_undo_entry_links_back(self, admin_client, tenant, plan, reps):
        admin_client.post(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk))
        batch = EnrollmentReset.objects.get(plan=plan)
        entry = ActivityEntry.objects.get(verb="reset enrollments")
        page = admin_client.get(u(tenant, "activity:entry_detail", entry_id=entry.pk))
        undo = u(tenant, "enrollments:undo_reset", reset_id=batch.pk)
        assert undo.encode() in page.content and f"Undo reset #{batch.pk}".encode() in page.content
        admin_client.post(undo)
        entry = ActivityEntry.objects.get(verb="undo reset enrollments")
        page = admin_client.get(u(tenant, "activity:entry_detail", entry_id=entry.pk))
        assert f"?batch={batch.pk}".encode() in page.content

    @pytest.mark.parametrize("capabilities", [["manage_plans"], ["view_plans"]])
    def test_needs_the_reset_capability(self, client, tenant, plan, reps, admin_member, capabilities):
        reset_enrollments(plan, actor=admin_member.user)
        batch = EnrollmentReset.objects.get(plan=plan)
        planner = member(tenant, "Plan Admin")
        planner.role.capabilities = capabilities
        planner.role.save()
        login(client, planner)
        undo = u(tenant, "enrollments:undo_reset", reset_id=batch.pk)
        assert client.get(undo).status_code == 403
        assert client.post(undo).status_code == 403
        assert not current(plan).exists()

    def test_another_tenants_reset_is_404(self, client, tenant, other_tenant, plan, reps, admin_member, outsider):
        reset_enrollments(plan, actor=admin_member.user)
        batch = EnrollmentReset.objects.get(plan=plan)
        login(client, outsider)
        assert client.post(u(other_tenant, "enrollments:undo_reset", reset_id=batch.pk)).status_code == 404
        assert client.get(u(other_tenant, "enrollments:undo_reset", reset_id=999999)).status_code == 404
        assert not current(plan).exists()

    def test_dialog_costs_the_same_queries_at_n_and_3n(
        self, admin_client, tenant, plan, admin_member, django_assert_num_queries
    ):
        bulk_beneficiaries(plan, bulk_reps(tenant, 30), enroll_every=1)
        reset_enrollments(plan, actor=admin_member.user)
        batch = EnrollmentReset.objects.get(plan=plan)
        undo = u(tenant, "enrollments:undo_reset", reset_id=batch.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert b"30 acceptances come back" in admin_client.get(undo).content
        PlanEnrollment.objects.filter(reset_batch=batch).delete()
        bulk_beneficiaries(plan, bulk_reps(tenant, 90, prefix="more"), enroll_every=1)
        PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).update(
            reset_at=batch.reset_at, reset_batch=batch
        )
        with django_assert_num_queries(len(ctx.captured_queries)):
            assert b"90 acceptances come back" in admin_client.get(undo).content


def test_the_tab_shows_and_sorts_by_each_rows_terms_version_and_assignment(admin_client, tenant, plan, reps):
    """The terms version and the direct assignment are read per row (not joined): each row gets its
    own, the list sorts by the version, and a team member's row says so."""
    PlanEnrollment.objects.filter(plan=plan, user__in=reps[:4]).update(document=plan.documents.get())  # v1
    second = PlanDocumentFactory(plan=plan, version=2)
    PlanEnrollment.objects.filter(plan=plan, user__in=reps[4:]).update(document=second)  # reps 6 and 9: v2
    team = TeamFactory(tenant=tenant)
    via_team = bulk_reps(tenant, 1, prefix="teamed")[0]
    TeamMemberFactory(team=team, user=via_team)
    PlanBeneficiary.objects.create(tenant=tenant, plan=plan, team=team)
    tab = u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)

    for order, versions in (("terms_version", ["v1", "v1", "v2", "v2"]), ("-terms_version", ["v2", "v2", "v1", "v1"])):
        page = admin_client.get(tab, {"sort": order}).content.decode()
        shown = re.findall(r"<td [^>]*>(v\d)", page)
        assert shown == versions, order
    page = admin_client.get(tab).content.decode()
    assert page.count("enrolled on an older version") == 2  # v1 acceptances, v2 is current
    assert page.count("via team") == 1
    entry = PlanBeneficiary.objects.get(plan=plan, user=reps[0])
    assert u(tenant, "plans:beneficiary_remove", beneficiary_id=entry.pk) in page
