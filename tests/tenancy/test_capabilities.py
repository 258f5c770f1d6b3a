"""Who can do what: viewing and editing plans, and the destructive actions (reset enrollments,
delete plans and calculations, clear balances) as capabilities of their own.

A role with only "manage plans" once saw Reset Enrollments and Delete, and its POSTs succeeded."""

from decimal import Decimal

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from enrollments.models import PlanEnrollment
from plans.models import Calculation, Plan, Reward
from tenancy.models import Role
from tests.balances.factories import RecoverableRewardFactory
from tests.conftest import login
from tests.factories import member
from tests.plans.factories import CalculationFactory, EnrollmentFactory, PlanDocumentFactory, PlanFactory
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

pytestmark = pytest.mark.django_db


def u(tenant, name, **kw):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kw})


def member_with(tenant, *capabilities):
    role = Role.objects.create(tenant=tenant, name="Custom " + "+".join(capabilities), capabilities=list(capabilities))
    return member(tenant, role.name, role=role)


@pytest.fixture
def plan(tenant):
    plan = PlanFactory(tenant=tenant, name="FY26 Enterprise Plan")
    PlanDocumentFactory(plan=plan)
    bulk_beneficiaries(plan, bulk_reps(tenant, 4), enroll_every=2)
    CalculationFactory(plan=plan, name="Q1 run")
    return plan


def test_plan_editor_cannot_reset_or_delete(client, tenant, plan):
    login(client, member_with(tenant, "manage_plans"))
    beneficiaries = client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)).content.decode()
    assert "Add users or teams" in beneficiaries and "Reset Enrollments" not in beneficiaries
    overview = client.get(u(tenant, "plans:plan_detail", plan_id=plan.pk)).content.decode()
    assert f"/plans/{plan.pk}/edit/" in overview
    assert f"/plans/{plan.pk}/delete/" not in overview
    calculations = client.get(u(tenant, "plans:calculation_list", plan_id=plan.pk)).content.decode()
    assert "Run calculation" in calculations and "/delete/" not in calculations

    calc = Calculation.objects.get(tenant=tenant, plan=plan)
    assert client.post(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk)).status_code == 403
    assert client.post(u(tenant, "plans:plan_delete", plan_id=plan.pk)).status_code == 403
    assert client.post(u(tenant, "plans:calculation_delete", calculation_id=calc.pk)).status_code == 403
    assert PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).count() == 2
    assert Plan.objects.filter(pk=plan.pk).exists() and Calculation.objects.filter(pk=calc.pk).exists()
    assert not ActivityEntry.objects.filter(tenant=tenant).exists()


def test_plan_viewer_sees_every_tab_and_changes_nothing(client, tenant, plan):
    login(client, member_with(tenant, "view_plans"))
    for name in ("plans:plan_detail", "enrollments:beneficiary_list", "plans:credit_list", "plans:reward_list"):
        assert client.get(u(tenant, name, plan_id=plan.pk)).status_code == 200, name
    listing = client.get(u(tenant, "plans:plan_list")).content.decode()
    assert "FY26 Enterprise Plan" in listing and ">New</a>" not in listing
    calculations = client.get(u(tenant, "plans:calculation_list", plan_id=plan.pk)).content.decode()
    assert "Q1 run" in calculations and "Run calculation" not in calculations and "Release" not in calculations
    for name in ("plans:plan_edit", "plans:beneficiary_add", "plans:calculation_run"):
        assert client.post(u(tenant, name, plan_id=plan.pk), {"name": "Renamed"}).status_code == 403, name
    assert client.post(u(tenant, "plans:plan_create"), {"name": "New plan"}).status_code == 403
    assert Plan.objects.filter(tenant=tenant).count() == 1


def test_reset_capability_resets_and_is_logged(client, tenant, plan):
    login(client, member_with(tenant, "view_plans", "reset_enrollments"))
    page = client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)).content.decode()
    assert "Reset Enrollments" in page and "Add users or teams" not in page
    client.post(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk))
    assert not PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).exists()
    assert ActivityEntry.objects.filter(tenant=tenant, verb="reset enrollments").count() == 1


def test_delete_capability_deletes_plans_and_calculations(client, tenant, plan):
    login(client, member_with(tenant, "view_plans", "delete_plans"))
    calc = Calculation.objects.get(tenant=tenant, plan=plan)
    assert (
        f"/calculations/{calc.pk}/delete/"
        in client.get(u(tenant, "plans:calculation_list", plan_id=plan.pk)).content.decode()
    )
    client.post(u(tenant, "plans:calculation_delete", calculation_id=calc.pk))
    assert not Calculation.objects.filter(pk=calc.pk).exists()
    client.post(u(tenant, "plans:plan_delete", plan_id=plan.pk))
    assert not Plan.objects.filter(pk=plan.pk).exists()


def test_clear_needs_its_own_capability(client, tenant):
    rep = member(tenant, "Sales Rep")
    RecoverableRewardFactory(member=rep, amount=Decimal("250.00"))
    login(client, member_with(tenant, "manage_users"))
    page = client.get(u(tenant, "balances:user_detail", membership_id=rep.pk)).content.decode()
    assert "Add recoverable reward" in page and 'id="clear-balance"' not in page
    assert client.post(u(tenant, "balances:balance_clear", membership_id=rep.pk)).status_code == 403
    assert Reward.objects.filter(tenant=tenant, user=rep.user, recoverable=True).count() == 1

    client.logout()
    login(client, member_with(tenant, "manage_users", "clear_balances"))
    page = client.get(u(tenant, "balances:user_detail", membership_id=rep.pk)).content.decode()
    assert 'id="clear-balance"' in page
    client.post(u(tenant, "balances:balance_clear", membership_id=rep.pk))
    assert not Reward.objects.filter(tenant=tenant, user=rep.user, recoverable=True).exists()


@pytest.mark.parametrize(
    ("capabilities", "needed"),
    [(["reset_enrollments"], "View plans"), (["delete_plans"], "View plans"), (["clear_balances"], "View users")],
)
def test_role_form_refuses_a_destructive_capability_without_its_page(admin_client, tenant, capabilities, needed):
    response = admin_client.post(u(tenant, "tenancy:role_add"), {"name": "Cleaner", "capabilities": capabilities})
    assert response.status_code == 200
    assert needed in response.content.decode()
    assert not Role.objects.filter(tenant=tenant, name="Cleaner").exists()


def test_builtin_administrator_keeps_every_action(admin_client, tenant, plan):
    page = admin_client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)).content.decode()
    assert "Reset Enrollments" in page and "Add users or teams" in page
    overview = admin_client.get(u(tenant, "plans:plan_detail", plan_id=plan.pk)).content.decode()
    assert f"/plans/{plan.pk}/delete/" in overview and f"/plans/{plan.pk}/edit/" in overview


# A plan that requires no enrollment ------------------------------------------------------------


def test_plan_without_enrollment_offers_no_reset(admin_client, tenant):
    plan = PlanFactory(tenant=tenant, name="Spiff", legally_protected=False, enrollment_option="none_shown")
    reps = bulk_reps(tenant, 3)
    bulk_beneficiaries(plan, reps, enroll_every=10)
    EnrollmentFactory(plan=plan, user=reps[1])  # acceptances left from when it required enrollment
    before = PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).count()
    page = admin_client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)).content.decode()
    assert "Enrollment not required" in page and "of 3 enrolled" not in page
    assert "Reset Enrollments" not in page
    overview = admin_client.get(u(tenant, "plans:plan_detail", plan_id=plan.pk)).content.decode()
    assert "enrollment not required" in overview and "beneficiaries enrolled" not in overview

    dialog = admin_client.get(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk)).content.decode()
    assert "does not require enrollment" in dialog and 'id="confirm-button"' not in dialog
    response = admin_client.post(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk), follow=True)
    assert "does not require enrollment" in response.content.decode()
    assert PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).count() == before > 0
    assert not ActivityEntry.objects.filter(tenant=tenant).exists()
