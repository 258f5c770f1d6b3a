"""The four daily jobs with the keyboard alone: Reset Enrollments, Clear, a partner's tier Edit and
the client dashboard's Enrollment Expired filter. Tab reaches every control with a visible focus
ring; a dialog takes the focus, keeps Tab inside itself, closes on Escape and gives the focus
back to the button that opened it; a filtered list says its new row count aloud."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.balances.factories import RecoverableRewardFactory
from tests.courses.factories import YESTERDAY, course_with_modules, enroll
from tests.factories import member
from tests.partners.factories import enrolled_partner, program_with_criteria
from tests.plans.factories import PlanDocumentFactory, PlanFactory
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

from .test_platform_e2e import htmx_ready, htmx_settled, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; }"""


def tab_to(page, target, *, limit=120):
    """Press Tab until `target` has the focus; it must show a focus ring when it does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert page.evaluate(FOCUS_RING), f"no visible focus on {target}"
            return
    raise AssertionError(f"Tab never reached {target}")


def open_dialog(page, opener, dialog_selector):
    """Enter on the opener shows the dialog with the focus inside; Tab stays inside; Escape closes
    it and the focus is back on the opener. Then open it again and return it."""
    opener.press("Enter")
    dialog = page.locator(dialog_selector)
    expect(dialog).to_be_visible()
    htmx_settled(page)
    for _ in range(8):
        assert dialog.evaluate("d => d.contains(document.activeElement)"), "the focus left the open dialog"
        page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    opener.press("Enter")
    expect(dialog).to_be_visible()
    htmx_settled(page)
    return dialog


def test_skip_link_then_reset_enrollments(page, live_server, tenant):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test")
    plan = PlanFactory(tenant=tenant, name="FY26 Enterprise Commission Plan")
    PlanDocumentFactory(plan=plan)
    bulk_beneficiaries(plan, bulk_reps(tenant, 6), enroll_every=2)  # 3 of 6 enrolled

    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/plans/{plan.pk}/beneficiaries/")
    htmx_ready(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    skip.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

    reset = page.locator("#reset-enrollments")
    tab_to(page, reset)
    dialog = open_dialog(page, reset, "dialog#confirm-dialog")
    expect(dialog).to_contain_text("Reset 3 enrollments of FY26 Enterprise Commission Plan?")
    tab_to(page, dialog.get_by_role("button", name="Reset Enrollments"))
    page.keyboard.press("Enter")
    expect(page.locator("#enrolled-count")).to_have_text("0 of 6 enrolled")


def test_clear_a_balance(page, live_server, tenant):
    admin = member(tenant, "Administrator", user__email="ada@acme-test.test")
    rep = member(tenant, "Sales Rep", user__email="riley@acme-test.test", user__full_name="Riley Rep")
    RecoverableRewardFactory(member=rep, amount=Decimal("2000.00"))
    RecoverableRewardFactory(member=rep, amount=Decimal("-750.00"))

    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/users/{rep.pk}/")
    htmx_ready(page)
    clear = page.locator("#clear-balance")
    tab_to(page, clear)
    dialog = open_dialog(page, clear, "dialog#confirm-dialog")
    expect(dialog).to_contain_text("USD 1,250.00 from 2 recoverable rewards")
    tab_to(page, dialog.get_by_role("button", name="Clear"))
    page.keyboard.press("Enter")
    expect(page.locator(".message-success")).to_contain_text("The balance is now 0.")
    expect(page.locator("#balance")).to_contain_text("USD 0.00")


def test_edit_a_partners_tier(page, live_server, tenant):
    enrollment = enrolled_partner(program_with_criteria(tenant))
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    htmx_ready(page)
    edit = page.locator("#edit-enrollment")
    tab_to(page, edit)
    dialog = open_dialog(page, edit, "#edit-enrollment-dialog")
    tier = dialog.get_by_role("combobox", name="Tier")
    tab_to(page, tier)
    page.keyboard.type("Scale")  # a focused list picks the option typed
    expect(tier.locator("option:checked")).to_have_text("Scale")
    tab_to(page, dialog.get_by_label("Reason for the tier change"))
    page.keyboard.type("Strategic partner for the EMEA launch")
    tab_to(page, dialog.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.locator("#unmet-warning")).to_contain_text("does not meet every criterion of Scale")
    htmx_settled(page)
    tab_to(page, page.get_by_role("button", name="Advance anyway"))
    page.keyboard.press("Enter")
    expect(page.locator("#current-tier")).to_have_text("Scale")
    expect(page.locator("#tier-history")).to_contain_text("Strategic partner for the EMEA launch")


def test_filter_enrollment_expired(page, live_server, tenant):
    admin = member(tenant, "Client Admin", user__email="clientadmin@acme-test.test")
    course = course_with_modules(tenant, modules=2, name="Negotiation Basics")
    people = [member(tenant, "Learner", user__email=f"l{i}@acme-test.test") for i in range(4)]
    enroll(course, people[0])
    enroll(course, people[1])
    enroll(course, people[2], end_date=YESTERDAY)  # expired today, the sweep has not run yet
    enroll(course, people[3], status="X", end_date=YESTERDAY)

    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/learning/dashboard/")
    expect(page.locator("#row-count")).to_contain_text("4 rows")
    htmx_ready(page)
    expired = page.get_by_label("Enrollment Expired")
    tab_to(page, expired)
    page.keyboard.press("Space")  # htmx swaps the list in place
    expect(page.locator("#row-count")).to_contain_text("2 rows")
    expect(page).to_have_url(re.compile(r"expired=on"))
    expect(page.locator("#live-status")).to_contain_text("2 rows")  # said aloud: the count is in a live region
    badges = page.locator("table.table tbody .badge-expired")
    expect(badges).to_have_count(2)
    expect(badges.first).to_have_text("Expired")  # a word, not the orange alone
