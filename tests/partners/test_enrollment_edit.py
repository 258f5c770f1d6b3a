"""The Edit dialog of an enrollment: scoped choices, validation, tier changes with a reason and
confirmation, tier history, 404 for other tenants, query counts."""

import datetime as dt

import pytest

from activity.models import ActivityEntry
from partners.models import CustomCriterionStatus
from tests.conftest import login
from tests.partners.factories import (
    PartnerEnrollmentFactory,
    PartnerUserFactory,
    enrolled_partner,
    manager,
    program_with_criteria,
    tier,
)
from tests.partners.factories import (
    enrollment_url as url,
)

pytestmark = pytest.mark.django_db


def _post(client, tenant, enrollment, **overrides):
    data = {
        "primary_partner_user": enrollment.primary_partner_user_id,
        "tier": enrollment.tier_id,
        "enrollment_date": enrollment.enrollment_date.isoformat(),
        "expiration_date": enrollment.expiration_date.isoformat(),
        "reason": "",
    }
    data.update(overrides)
    return client.post(url(tenant, enrollment, "edit/"), data, headers={"HX-Request": "true"})


def test_edit_dialog_shows_program_and_account_read_only_and_only_the_accounts_users(client, tenant, setup):
    _, enrollment = setup
    colleague = PartnerUserFactory(account=enrollment.account, user__email="colleague@prairie.test")
    stranger = PartnerUserFactory(account__tenant=tenant, user__email="stranger@elsewhere.test")
    html = client.get(url(tenant, enrollment, "edit/"), headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith("<dialog")
    assert 'Global Partner Program <span class="muted small">(cannot change)' in html
    assert colleague.user.email in html and stranger.user.email not in html
    assert 'name="program"' not in html and 'name="account"' not in html
    response = _post(client, tenant, enrollment, primary_partner_user=stranger.pk)
    assert response.status_code == 422
    assert "stranger@elsewhere.test is not a user of Prairie Systems." in response.content.decode()
    response = _post(client, tenant, enrollment, primary_partner_user=colleague.pk)
    assert response.status_code == 200 and response["HX-Redirect"] == url(tenant, enrollment)
    enrollment.refresh_from_db()
    assert enrollment.primary_partner_user == colleague


def test_edit_rejects_expiration_before_enrollment_date_and_changes_nothing(client, tenant, setup):
    _, enrollment = setup
    response = _post(client, tenant, enrollment, expiration_date="2025-12-31")
    html = response.content.decode()
    assert response.status_code == 422
    assert "The expiration date must be after the enrollment date." in html
    assert 'class="field has-error"' in html
    enrollment.refresh_from_db()
    assert enrollment.expiration_date == dt.date(2026, 12, 31) and enrollment.recalc_due_at is None
    response = _post(client, tenant, enrollment, enrollment_date="not a date")
    assert response.status_code == 422 and "Enter a valid date." in response.content.decode()


def test_enrollment_date_change_recalculates_at_once_and_the_page_says_so(client, tenant, setup):
    _, enrollment = setup
    response = _post(client, tenant, enrollment, enrollment_date="2025-10-01")
    assert response.status_code == 200
    enrollment.refresh_from_db()
    # The page shows what the edit changed at once: no pending run, no stale progress.
    assert enrollment.enrollment_date == dt.date(2025, 10, 1) and enrollment.recalc_due_at is None
    html = client.get(url(tenant, enrollment)).content.decode()
    assert f"Progress recalculated: {enrollment.progress_label}." in html  # the message after saving
    assert "Recalculation pending" not in html and "10/01/2025" in html


def test_tier_change_needs_a_reason_and_confirmation_when_criteria_are_unmet(client, tenant, setup):
    program, enrollment = setup
    scale = tier(program, "Scale")
    response = _post(client, tenant, enrollment, tier=scale.pk)
    assert response.status_code == 422 and "Say why the tier changes" in response.content.decode()
    response = _post(client, tenant, enrollment, tier=scale.pk, reason="Strategic partner")
    html = response.content.decode()
    assert response.status_code == 422 and "does not meet every criterion of Scale" in html
    assert "Annual Partner Revenue, Deal Registrations, Joint Business Plan" in html and "Advance anyway" in html
    enrollment.refresh_from_db()
    assert enrollment.tier.name == "Launch"
    response = _post(client, tenant, enrollment, tier=scale.pk, reason="Strategic partner", confirm_unmet="1")
    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.tier == scale and enrollment.recalc_due_at is None
    entry = ActivityEntry.objects.get(object_id=str(enrollment.pk), verb="changed tier")
    assert entry.changes == {"tier": ["Launch", "Scale"], "reason": "Strategic partner"}
    assert entry.actor.memberships.get().role.name == "Partner Program Tiers Access"
    html = client.get(url(tenant, enrollment)).content.decode()
    history = html[html.index('id="tier-history"') :]
    assert "Launch" in history and "Scale" in history and "Strategic partner" in history
    assert entry.actor.get_full_name() in history or entry.actor.email in history


def test_tier_change_to_a_met_tier_needs_no_confirmation(client, tenant, setup):
    program, enrollment = setup
    build = tier(program, "Build")
    # Build also asks for the custom Joint Business Plan: verifying it in the same dialog is enough.
    joint = program.criteria.get(name="Joint Business Plan")
    response = _post(
        client,
        tenant,
        enrollment,
        tier=build.pk,
        reason="All criteria met",
        **{f"custom_{joint.pk}_met": "on", f"custom_{joint.pk}_note": "Plan signed on 11/02/2026"},
    )
    assert response.status_code == 200, response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.tier == build
    status = CustomCriterionStatus.objects.get(enrollment=enrollment, criterion=joint)
    assert status.met and status.note == "Plan signed on 11/02/2026"


def test_saving_unchanged_changes_nothing(client, tenant, setup):
    _, enrollment = setup
    before = ActivityEntry.objects.count()
    response = _post(client, tenant, enrollment)
    assert response.status_code == 200
    assert ActivityEntry.objects.count() == before
    enrollment.refresh_from_db()
    assert enrollment.recalc_due_at is None


def test_edit_of_another_tenants_enrollment_is_404(client, tenant, other_tenant, setup):
    foreign = PartnerEnrollmentFactory(program__tenant=other_tenant)
    assert client.get(url(tenant, foreign)).status_code == 404
    assert client.get(url(tenant, foreign, "edit/")).status_code == 404
    assert client.post(url(tenant, foreign, "recalculate/")).status_code == 404


@pytest.mark.parametrize("colleagues", [2, 6])
def test_edit_dialog_query_count_is_fixed(client, tenant, django_assert_num_queries, colleagues):
    program = program_with_criteria(tenant, extra_criteria=7)
    enrollment = enrolled_partner(program)
    for _ in range(colleagues):
        PartnerUserFactory(account=enrollment.account)
    login(client, manager(tenant))
    # session, membership with its user; enrollment; criteria + thresholds; custom statuses; the
    # partner user and tier choices.
    with django_assert_num_queries(8):
        response = client.get(url(tenant, enrollment, "edit/"), headers={"HX-Request": "true"})
    assert response.content.decode().count("@example.test") >= colleagues + 1
