"""Enroll, end, delete and re-enroll a partner account: the services (refusals, at-once
calculation, activity log, idempotence) and their dialogs (scoped choices, field errors,
capability, another tenant's 404, fixed query counts)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from activity.changes import readable_changes
from activity.models import ActivityEntry
from jobs.models import Job
from partners.imports import check_enrollments
from partners.models import (
    CriterionResult,
    CustomCriterionStatus,
    PartnerEnrollment,
    ProgressSnapshot,
)
from partners.services import delete_enrollment, end_enrollment, enroll_partner, set_custom_criterion_status
from partners.services.enrollment_edit import edit_enrollment
from tests.clock import TODAY
from tests.conftest import login
from tests.factories import member
from tests.jobs.runner import run_queued
from tests.partners.factories import (
    LeadFactory,
    OpportunityFactory,
    PartnerAccountFactory,
    PartnerUserFactory,
    enrolled_partner,
    manager,
    program_with_criteria,
    tier,
)

pytestmark = pytest.mark.django_db


def _entries(tenant, verb):
    return ActivityEntry.objects.filter(tenant=tenant, verb=verb)


@pytest.fixture
def program(tenant):
    return program_with_criteria(tenant)


@pytest.fixture
def account(tenant):
    account = PartnerAccountFactory(tenant=tenant, name="Harbor Networks")
    OpportunityFactory(account=account, amount=Decimal("130000"), close_date=dt.date(2026, 3, 1))
    for _ in range(12):
        LeadFactory(account=account)
    return account


@pytest.fixture
def partner_user(account):
    return PartnerUserFactory(account=account, is_partner_admin=True, user__email="pat@harbor.test")


def _enroll(program, account, partner_user, actor=None, **kwargs):
    values = {"enrollment_date": dt.date(2026, 1, 1), "expiration_date": dt.date(2026, 12, 31)}
    values.update(kwargs)
    return enroll_partner(program=program, account=account, actor=actor, primary_partner_user=partner_user, **values)


# --- Services ---------------------------------------------------------------------------------


class TestEnrollPartner:
    def test_starts_at_the_first_tier_calculates_at_once_and_is_logged(self, tenant, program, account, partner_user):
        actor = manager(tenant).user
        enrollment = _enroll(program, account, partner_user, actor=actor)
        assert enrollment.tier == tier(program, "Launch")
        assert enrollment.last_calculated is not None and enrollment.recalc_due_at is None
        # $130,000 of 100,000 and 12 of 10 registrations meet Build but its custom criterion is
        # not verified: (100 + 100 + 0) / 3.
        assert enrollment.progress_label == "66% to Build"
        assert CriterionResult.objects.filter(enrollment=enrollment).count() == 3
        entry = _entries(tenant, "enrolled partner").get()
        assert entry.actor == actor and entry.object_id == str(enrollment.pk)
        assert entry.changes["tier"] == [None, "Launch"] and entry.changes["progress"] == [None, "66% to Build"]

    def test_a_chosen_starting_tier(self, tenant, program, account, partner_user):
        enrollment = _enroll(program, account, partner_user, tier=tier(program, "Build"))
        assert enrollment.tier.name == "Build" and enrollment.progress_label.endswith("to Scale")

    def test_refused_while_the_account_has_an_active_enrollment_and_changes_nothing(
        self, tenant, program, account, partner_user
    ):
        first = _enroll(program, account, partner_user)
        with pytest.raises(ValidationError) as exc:
            _enroll(
                program,
                account,
                partner_user,
                enrollment_date=dt.date(2027, 1, 1),
                expiration_date=dt.date(2027, 12, 31),
            )
        assert (
            "Harbor Networks already has an active enrollment in Global Partner Program"
            in exc.value.message_dict["account"][0]
        )
        assert list(PartnerEnrollment.objects.filter(account=account)) == [first]
        assert _entries(tenant, "enrolled partner").count() == 1

    def test_refused_when_the_dates_are_reversed(self, tenant, program, account, partner_user):
        with pytest.raises(ValidationError) as exc:
            _enroll(program, account, partner_user, expiration_date=dt.date(2025, 12, 31))
        assert exc.value.message_dict["expiration_date"] == ["The expiration date must be after the enrollment date."]
        assert not PartnerEnrollment.objects.filter(account=account).exists()
        assert not _entries(tenant, "enrolled partner").exists()

    def test_refused_when_the_primary_user_belongs_to_another_account(self, tenant, program, account):
        stranger = PartnerUserFactory(account__tenant=tenant)
        with pytest.raises(ValidationError) as exc:
            _enroll(program, account, stranger)
        assert "primary_partner_user" in exc.value.message_dict


class TestEndEnrollment:
    def test_expires_today_with_a_reason_recalculates_and_is_logged(self, tenant, program):
        enrollment = enrolled_partner(program)
        OpportunityFactory(
            account=enrollment.account, amount=Decimal("900000"), close_date=TODAY + dt.timedelta(days=5)
        )
        actor = manager(tenant).user
        ended = end_enrollment(enrollment, actor=actor, reason="Contract not renewed")
        assert ended.expiration_date == TODAY and ended.ended_at is not None
        assert ended.end_reason == "Contract not renewed"
        # Recomputed over the shortened period at once: the deal after today does not count.
        revenue = CriterionResult.objects.get(enrollment=ended, criterion__name="Annual Partner Revenue")
        assert revenue.value == Decimal("125000.00") and ended.recalc_due_at is None
        entry = _entries(tenant, "ended enrollment").get()
        assert entry.actor == actor
        assert entry.changes == {"expiration_date": ["2026-12-31", TODAY.isoformat()], "reason": "Contract not renewed"}

    def test_ending_twice_changes_nothing_the_second_time(self, tenant, program):
        enrollment = enrolled_partner(program)
        first = end_enrollment(enrollment, actor=None, reason="Contract not renewed")
        again = end_enrollment(enrollment, actor=None, reason="Another reason")
        assert again.ended_at == first.ended_at and again.end_reason == "Contract not renewed"
        assert _entries(tenant, "ended enrollment").count() == 1

    def test_needs_a_reason(self, program):
        enrollment = enrolled_partner(program)
        with pytest.raises(ValidationError) as exc:
            end_enrollment(enrollment, actor=None, reason="  ")
        assert "reason" in exc.value.message_dict
        enrollment.refresh_from_db()
        assert enrollment.ended_at is None and enrollment.expiration_date == dt.date(2026, 12, 31)

    def test_an_enrollment_not_started_yet_is_deleted_not_ended(self, tenant, program, account, partner_user):
        enrollment = _enroll(
            program, account, partner_user, enrollment_date=TODAY, expiration_date=TODAY + dt.timedelta(days=365)
        )
        with pytest.raises(ValidationError) as exc:
            end_enrollment(enrollment, actor=None, reason="Changed our mind")
        assert "delete it instead" in exc.value.message_dict["reason"][0]
        enrollment.refresh_from_db()
        assert enrollment.ended_at is None


class TestReEnroll:
    def test_after_an_end_a_new_enrollment_starts_and_the_old_one_stays(self, tenant, program, account, partner_user):
        old = _enroll(program, account, partner_user, tier=tier(program, "Build"))
        end_enrollment(old, actor=None, reason="Restructured")
        new = _enroll(program, account, partner_user, enrollment_date=TODAY, expiration_date=dt.date(2027, 11, 22))
        assert new.pk != old.pk and new.tier.name == "Launch" and new.ended_at is None
        old.refresh_from_db()
        assert old.ended_at is not None and old.tier.name == "Build"
        assert set(PartnerEnrollment.objects.filter(account=account)) == {old, new}

    def test_after_a_natural_expiry_the_old_one_is_closed(self, tenant, program, account, partner_user):
        old = _enroll(
            program, account, partner_user, enrollment_date=dt.date(2025, 1, 1), expiration_date=dt.date(2025, 12, 31)
        )
        new = _enroll(program, account, partner_user)
        old.refresh_from_db()
        assert old.ended_at is not None and old.expiration_date == dt.date(2025, 12, 31)
        assert "enrolled again" in old.end_reason and new.ended_at is None


class TestDeleteEnrollment:
    def test_deletes_its_history_logs_what_went_and_is_idempotent(self, tenant, program):
        enrollment = enrolled_partner(program)
        actor = manager(tenant).user
        custom = program.criteria.get(name="Joint Business Plan")
        set_custom_criterion_status(enrollment, criterion=custom, actor=actor, met=True, note="Signed")
        edit_enrollment(
            enrollment, actor=actor, data={"tier": tier(program, "Build")}, reason="Strategic", confirm_unmet=True
        )
        # Enrolled, then verified and moved to Build: each recomputed at once and moved progress.
        assert ProgressSnapshot.objects.filter(enrollment=enrollment).count() == 3
        assert delete_enrollment(enrollment, actor=actor) is True
        assert not PartnerEnrollment.objects.filter(pk=enrollment.pk).exists()
        assert not ProgressSnapshot.objects.filter(enrollment_id=enrollment.pk).exists()
        assert not CustomCriterionStatus.objects.filter(enrollment_id=enrollment.pk).exists()
        assert not CriterionResult.objects.filter(enrollment_id=enrollment.pk).exists()
        entry = _entries(tenant, "deleted enrollment").get()
        assert entry.changes == {
            "tier_changes": 1,
            "progress_history": 3,
            "custom_criterion_marks": 1,
        }
        assert [str(c) for c in readable_changes(entry)] == [
            "Tier changes: 1",
            "Progress history: 3",
            "Custom criterion marks: 1",
        ]
        # The tier history stays in the activity log.
        assert _entries(tenant, "changed tier").filter(object_id=str(enrollment.pk)).count() == 1
        assert delete_enrollment(enrollment, actor=actor) is False
        assert _entries(tenant, "deleted enrollment").count() == 1


# --- Dialogs ----------------------------------------------------------------------------------


def _url(tenant, suffix):
    return f"/w/{tenant.slug}/partners/enrollments/{suffix}"


def _form(program, account, partner_user, **overrides):
    data = {
        "program": program.pk,
        "account": account.pk,
        "primary_partner_user": partner_user.pk,
        "tier": "",
        "enrollment_date": "2026-01-01",
        "expiration_date": "2026-12-31",
    }
    data.update(overrides)
    return data


HX = {"HX-Request": "true"}


class TestEnrollDialog:
    def test_from_an_account_lists_only_its_users_and_enrolls(self, client, tenant, program, account, partner_user):
        login(client, manager(tenant))
        other = PartnerUserFactory(account__tenant=tenant, user__email="someone@elsewhere.test")
        html = client.get(_url(tenant, f"add/?account={account.pk}"), headers=HX).content.decode()
        assert html.lstrip().startswith("<dialog")
        assert "pat@harbor.test" in html and "someone@elsewhere.test" not in html
        assert f'<option value="{account.pk}" selected>Harbor Networks</option>' in html
        response = client.post(_url(tenant, "add/"), _form(program, account, partner_user), headers=HX)
        enrollment = PartnerEnrollment.objects.get(account=account)
        assert response.status_code == 200 and response["HX-Redirect"] == _url(tenant, f"{enrollment.pk}/")
        assert enrollment.tier.name == "Launch" and enrollment.last_calculated is not None
        page = client.get(_url(tenant, f"{enrollment.pk}/")).content.decode()
        assert "Enrolled Harbor Networks in Global Partner Program: 66% to Build." in page
        assert other.pk  # exists, yet was never offered

    def test_from_a_program_lists_only_its_tiers(self, client, tenant, program, account):
        login(client, manager(tenant))
        other = program_with_criteria(tenant, name="Other Program")
        html = client.get(_url(tenant, f"add/?program={program.pk}"), headers=HX).content.decode()
        assert "Global Partner Program · Build" in html and "Other Program · Build" not in html
        assert other.pk

    def test_field_errors_and_nothing_saved(self, client, tenant, program, account, partner_user):
        login(client, manager(tenant))
        stranger = PartnerUserFactory(account__tenant=tenant, user__email="stranger@elsewhere.test")
        other_tier = tier(program_with_criteria(tenant, name="Other Program"), "Build")
        cases = [
            ({"primary_partner_user": stranger.pk}, "stranger@elsewhere.test is not a user of Harbor Networks."),
            ({"expiration_date": "2025-06-30"}, "The expiration date must be after the enrollment date."),
            ({"tier": other_tier.pk}, "Build is a tier of Other Program, not of Global Partner Program."),
        ]
        for overrides, message in cases:
            response = client.post(_url(tenant, "add/"), _form(program, account, partner_user, **overrides), headers=HX)
            assert response.status_code == 422 and message in response.content.decode()
        assert not PartnerEnrollment.objects.filter(account=account).exists()
        client.post(_url(tenant, "add/"), _form(program, account, partner_user), headers=HX)
        response = client.post(_url(tenant, "add/"), _form(program, account, partner_user), headers=HX)
        assert response.status_code == 422
        assert "Harbor Networks already has an active enrollment in Global Partner Program" in response.content.decode()
        assert PartnerEnrollment.objects.filter(account=account).count() == 1

    def test_another_tenants_program_is_not_a_choice(self, client, tenant, other_tenant, account, partner_user):
        login(client, manager(tenant))
        foreign = program_with_criteria(other_tenant, name="Foreign Program")
        response = client.post(_url(tenant, "add/"), _form(foreign, account, partner_user), headers=HX)
        assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
        assert not PartnerEnrollment.objects.exists()

    @pytest.mark.parametrize("role", ["Partner User", "Sales Rep", "Manager"])
    def test_needs_the_partner_tiers_capability(self, client, tenant, program, account, partner_user, role):
        login(client, member(tenant, role))
        assert client.get(_url(tenant, "add/")).status_code == 403
        assert client.post(_url(tenant, "add/"), _form(program, account, partner_user)).status_code == 403
        assert not PartnerEnrollment.objects.exists()

    @pytest.mark.parametrize("n", [3, 9])
    def test_query_count_is_fixed(self, client, tenant, program, account, django_assert_num_queries, n):
        login(client, manager(tenant))
        for i in range(n):
            PartnerUserFactory(account=account)
            program_with_criteria(tenant, name=f"Program {i}")
        with django_assert_num_queries(6):
            client.get(_url(tenant, f"add/?account={account.pk}"), headers=HX)


class TestEndDialog:
    def test_ends_with_a_reason_and_the_page_says_so(self, client, tenant, program):
        login(client, manager(tenant))
        enrollment = enrolled_partner(program)
        response = client.post(_url(tenant, f"{enrollment.pk}/end/"), {"reason": ""}, headers=HX)
        assert response.status_code == 422 and "Say why the enrollment ends" in response.content.decode()
        response = client.post(_url(tenant, f"{enrollment.pk}/end/"), {"reason": "Contract not renewed"}, headers=HX)
        assert response["HX-Redirect"] == _url(tenant, f"{enrollment.pk}/")
        page = client.get(_url(tenant, f"{enrollment.pk}/")).content.decode()
        assert 'id="ended-notice"' in page and "Contract not renewed" in page and 'id="end-enrollment"' not in page
        dialog = client.get(_url(tenant, f"{enrollment.pk}/end/"), headers=HX).content.decode()
        assert "This enrollment ended on 11/23/2026" in dialog and 'id="end-button"' not in dialog
        client.post(_url(tenant, f"{enrollment.pk}/end/"), {"reason": "again"}, headers=HX)
        assert _entries(tenant, "ended enrollment").count() == 1

    def test_re_enrolled_account_lists_both(self, client, tenant, program):
        login(client, manager(tenant))
        old = enrolled_partner(program)
        client.post(_url(tenant, f"{old.pk}/end/"), {"reason": "Restructured"}, headers=HX)
        data = _form(
            program, old.account, old.primary_partner_user, enrollment_date="2026-11-23", expiration_date="2027-11-22"
        )
        client.post(_url(tenant, "add/"), data, headers=HX)
        new = PartnerEnrollment.objects.exclude(pk=old.pk).get(account=old.account)
        html = client.get(_url(tenant, f"?account={old.account_id}")).content.decode()
        assert _url(tenant, f"{old.pk}/") in html and _url(tenant, f"{new.pk}/") in html
        assert html.count('<span class="badge">Ended</span>') == 1
        # The partner's portal shows the new enrollment only.
        client.force_login(old.primary_partner_user.user)
        portal = client.get(f"/w/{tenant.slug}/partners/portal/").content.decode()
        assert portal.count("Global Partner Program") >= 1
        assert "11/22/2027" in portal and "12/31/2026" not in portal


class TestDeleteDialog:
    def test_says_what_goes_then_deletes(self, client, tenant, program):
        login(client, manager(tenant))
        enrollment = enrolled_partner(program)
        html = client.get(_url(tenant, f"{enrollment.pk}/delete/"), headers=HX).content.decode()
        assert "Delete the enrollment of Prairie Systems in Global Partner Program?" in html
        assert "its tier (Launch) and tier history: 0 tier changes" in html
        assert "its progress history: 1 recorded progress change" in html
        assert "its custom-criterion marks: 0 marks" in html
        response = client.post(_url(tenant, f"{enrollment.pk}/delete/"), headers=HX)
        assert response["HX-Redirect"] == _url(tenant, f"?account={enrollment.account_id}")
        assert not PartnerEnrollment.objects.filter(pk=enrollment.pk).exists()
        assert _entries(tenant, "deleted enrollment").count() == 1
        assert client.post(_url(tenant, f"{enrollment.pk}/delete/"), headers=HX).status_code == 404

    @pytest.mark.parametrize("n", [2, 6])
    def test_query_count_is_fixed(self, client, tenant, program, django_assert_num_queries, n):
        login(client, manager(tenant))
        enrollment = enrolled_partner(program)
        custom = program.criteria.get(name="Joint Business Plan")
        for i in range(n):
            set_custom_criterion_status(enrollment, criterion=custom, actor=None, met=bool(i % 2), note=str(i))
        with django_assert_num_queries(4):
            client.get(_url(tenant, f"{enrollment.pk}/delete/"), headers=HX)


class TestBulkEnroll:
    HEADER = "program,account,primary_partner_user,tier,enrollment_date,expiration_date\n"

    def _url(self, tenant):
        return f"/w/{tenant.slug}/partners/enrollments/import/"

    def _preview(self, client, tenant, text):
        """Upload → the preview job runs (a worker's work) → the page with the preview."""
        upload = SimpleUploadedFile("enrollments.csv", text.encode(), content_type="text/csv")
        response = client.post(self._url(tenant), {"file": upload})
        if response.status_code != 302:
            return response
        run_queued()
        return client.get(response.url)

    def _confirm(self, client, tenant):
        preview = Job.objects.filter(kind="partners.import.enrollments.preview").latest("pk")
        response = client.post(self._url(tenant), {"confirm": preview.pk})
        states = run_queued()
        return states, client.get(response.url)

    def test_preview_shows_row_errors_saves_nothing_then_enrolls_all_and_calculates(
        self, client, tenant, program, account, partner_user
    ):
        login(client, manager(tenant))
        second = PartnerAccountFactory(tenant=tenant, name="Lakeside IT")
        lakeside = PartnerUserFactory(account=second, user__email="lee@lakeside.test")
        enrolled = enrolled_partner(program)
        bad = (
            self.HEADER
            + "Global Partner Program,Harbor Networks,pat@harbor.test,,2026-01-01,2026-12-31\n"
            + "Global Partner Program,Lakeside IT,pat@harbor.test,Build,2026-01-01,2026-12-31\n"
            + "Global Partner Program,Prairie Systems,"
            + enrolled.primary_partner_user.user.email
            + ",,2026-01-01,2026-12-31\n"
            + "Global Partner Program,Harbor Networks,pat@harbor.test,Gold,2026-12-31,2026-01-01\n"
            + "Nope,Lakeside IT,lee@lakeside.test,,2026-01-01,2026-12-31\n"
        )
        html = self._preview(client, tenant, bad).content.decode()
        assert "4 of 5 rows cannot be imported" in html and 'id="confirm-import"' not in html
        assert "primary_partner_user: pat@harbor.test is not a user of Lakeside IT." in html
        assert "account: Prairie Systems already has an active enrollment in Global Partner Program." in html
        assert "tier: “Gold” is not a tier of Global Partner Program." in html
        assert "expiration_date: The expiration date must be after the enrollment date." in html
        assert "account: Harbor Networks is enrolled in Global Partner Program on line 2 already." in html
        assert "program: “Nope” not found in this workspace." in html
        states, _ = self._confirm(client, tenant)
        assert states == [] and PartnerEnrollment.objects.count() == 1, "a preview with errors cannot be confirmed"

        good = (
            self.HEADER
            + "Global Partner Program,Harbor Networks,PAT@harbor.test,,2026-01-01,2026-12-31\n"
            + "global partner program,Lakeside IT,lee@lakeside.test,Build,2026-01-01,2026-12-31\n"
        )
        html = self._preview(client, tenant, good).content.decode()
        assert "Ready: 2 new" in html and 'id="confirm-import"' in html
        states, page = self._confirm(client, tenant)
        assert states == ["succeeded"] and "Imported enrollments: 2 new" in page.content.decode()
        harbor = PartnerEnrollment.objects.get(account=account)
        assert harbor.tier.name == "Launch" and harbor.progress_label == "66% to Build"
        assert PartnerEnrollment.objects.get(account=second).tier.name == "Build"
        assert PartnerEnrollment.objects.get(account=second).primary_partner_user == lakeside
        entry = _entries(tenant, "imported enrollments").get()
        assert entry.count == 2
        # A second Confirm of the same preview gets the import already done: nothing twice.
        assert self._confirm(client, tenant)[0] == []
        # The same file previewed again refuses every row (they are enrolled now).
        assert "2 of 2 rows cannot be imported" in self._preview(client, tenant, good).content.decode()
        assert PartnerEnrollment.objects.count() == 3 and _entries(tenant, "imported enrollments").count() == 1

    def test_an_unreadable_file_is_a_field_error(self, client, tenant):
        login(client, manager(tenant))
        html = self._preview(client, tenant, "name,amount\nx,1\n").content.decode()
        assert "this file has no header row" in html
        html = self._preview(client, tenant, "program,account\nx,y\n").content.decode()
        assert "missing: primary_partner_user, enrollment_date, expiration_date" in html
        assert not PartnerEnrollment.objects.filter(tenant=tenant).exists() and not Job.objects.exists()

    def test_needs_the_partner_tiers_capability(self, client, tenant):
        login(client, member(tenant, "Sales Rep"))
        assert client.get(self._url(tenant)).status_code == 403

    @pytest.mark.parametrize("n", [5, 15])
    def test_the_check_reads_a_fixed_number_of_queries(self, tenant, program, django_assert_num_queries, n):
        lines = []
        for i in range(n):
            pu = PartnerUserFactory(account__tenant=tenant, account__name=f"Account {i}")
            lines.append(f"Global Partner Program,Account {i},{pu.user.email},,2026-01-01,2026-12-31")
        with django_assert_num_queries(5):  # programs, accounts, partner users, tiers, active enrollments
            rows, totals, _, _ = check_enrollments(tenant=tenant, csv_text=self.HEADER + "\n".join(lines) + "\n")
        assert totals["new"] == n
