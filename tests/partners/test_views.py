"""Configuration and partner data pages: happy paths, capability checks, field errors, fixed
query counts at N and 3N rows, and the CSV import preview."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from partners.models import (
    Benefit,
    Criterion,
    CriterionThreshold,
    Opportunity,
    PartnerEnrollment,
    PartnerProgram,
    TierBenefit,
)
from tests.conftest import login
from tests.factories import member
from tests.partners import factories as f

pytestmark = pytest.mark.django_db

# A 2x2 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000200000002080600000072b60d24000000144944415478"
    "9c633cc190f29f8181818189010a00214c022fd2e9a4200000000049454e44ae426082"
)


def u(tenant, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def tiers_client(client, tenant):
    """A member of the Partner Program Tiers Access role (not an Administrator)."""
    return login(client, member(tenant, "Partner Program Tiers Access"))


LIST_PAGES = [
    "program_list",
    "benefit_list",
    "account_list",
    "partner_user_list",
    "opportunity_list",
    "lead_list",
    "course_list",
    "rate_list",
]


def _rows(tenant, n):
    for _ in range(n):
        program = f.PartnerProgramFactory(tenant=tenant)
        f.CriterionFactory(program=program)
        f.BenefitFactory(tenant=tenant)
        enrollment = f.PartnerEnrollmentFactory(program=program)
        f.OpportunityFactory(account=enrollment.account, owner=enrollment.primary_partner_user.user)
        f.LeadFactory(account=enrollment.account, owner=enrollment.primary_partner_user.user)
        f.CourseAssignmentFactory(partner_user=enrollment.primary_partner_user)
        f.CurrencyRateFactory(tenant=tenant)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_fixed_queries_and_capability(name, tenant, tiers_client, client, django_assert_num_queries):
    _rows(tenant, 2)
    tiers_client.get(u(tenant, name))  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert tiers_client.get(u(tenant, name)).status_code == 200
    _rows(tenant, 4)  # 3N rows
    with django_assert_num_queries(len(small)):
        response = tiers_client.get(u(tenant, name))
    assert response.status_code == 200
    assert len(small) <= 8
    assert tiers_client.get(u(tenant, name), {"export": "csv"}).status_code == 200
    assert tiers_client.get(u(tenant, name), headers={"HX-Request": "true"}).status_code == 200
    login(client, member(tenant, "Sales Rep"))
    assert client.get(u(tenant, name)).status_code == 403


def test_administrators_have_the_pages_and_the_left_pane_entry(tenant, admin_client):
    response = admin_client.get(u(tenant, "program_list"))
    assert response.status_code == 200
    assert b"Partner Program Tiers" in response.content and b"Partner Management" in response.content


def test_create_program_with_default_tiers(tenant, tiers_client):
    response = tiers_client.post(
        u(tenant, "program_add"), {"name": "Global Partners", "currency": "usd", "active": "on"}
    )
    program = PartnerProgram.objects.get(tenant=tenant, name="Global Partners")
    assert response.status_code == 302 and response["Location"] == u(tenant, "program_detail", program_id=program.pk)
    assert program.currency == "USD"
    assert [t.name for t in program.tiers.order_by("position")] == ["Launch", "Build", "Scale", "Elevate"]
    response = tiers_client.post(u(tenant, "program_add"), {"name": "global partners", "currency": "US"})
    assert b"already exists" in response.content
    assert PartnerProgram.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize("n", [1, 3])
def test_program_detail_fixed_queries(n, tenant, tiers_client, django_assert_num_queries):
    program = f.PartnerProgramFactory(tenant=tenant)
    for i in range(n):
        c = f.CriterionFactory(program=program, name=f"C{i}")
        f.set_thresholds(c, [1, 2, 3, 4])
        f.BenefitFactory(tenant=tenant)
        f.PartnerEnrollmentFactory(program=program)
    tiers_client.get(u(tenant, "program_detail", program_id=program.pk))
    with django_assert_num_queries(10):
        response = tiers_client.get(u(tenant, "program_detail", program_id=program.pk))
    assert response.status_code == 200
    assert b"Launch" in response.content and b"C0" in response.content


def test_criterion_form_saves_thresholds_and_filter_and_marks_due(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    enrollment = f.PartnerEnrollmentFactory(program=program)
    tiers = list(program.tiers.order_by("position"))
    data = {
        "name": "Annual Partner Revenue",
        "kind": "revenue",
        "rollup_field": "amount",
        "attainment_date_field": "close_date",
        "conditions": "stage = Closed Won",
        **{f"threshold_{t.id}": v for t, v in zip(tiers, ["25000", "100000", "500000", "1000000"], strict=True)},
    }
    response = tiers_client.post(u(tenant, "criterion_add", program_id=program.pk), data)
    assert response.status_code == 302
    criterion = Criterion.objects.get(program=program)
    assert criterion.conditions == [{"field": "stage", "op": "=", "value": "closed_won"}]
    assert CriterionThreshold.objects.filter(criterion=criterion).count() == 4
    enrollment.refresh_from_db()
    assert enrollment.recalc_due_at is not None
    edit = tiers_client.get(u(tenant, "criterion_edit", criterion_id=criterion.pk))
    assert b"stage = Closed Won" in edit.content


def test_criterion_form_errors_next_to_fields_change_nothing(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    tiers = list(program.tiers.order_by("position"))
    data = {
        "name": "Deals",
        "kind": "closed_deals",
        "rollup_field": "amount",
        "attainment_date_field": "close_date",
        "conditions": "stage = Won",
        **{f"threshold_{t.id}": v for t, v in zip(tiers, ["5", "3", "10", "20"], strict=True)},
    }
    response = tiers_client.post(u(tenant, "criterion_add", program_id=program.pk), data)
    assert response.status_code == 200
    assert "“Won” is not a stage" in response.content.decode()
    data["conditions"] = ""
    response = tiers_client.post(u(tenant, "criterion_add", program_id=program.pk), data)
    html = response.content.decode()
    assert "This kind counts records; it has no rollup field." in html
    data["rollup_field"] = ""
    response = tiers_client.post(u(tenant, "criterion_add", program_id=program.pk), data)
    assert "Must be at least 5 (the Launch threshold)." in response.content.decode()
    assert not Criterion.objects.filter(program=program).exists()


def test_tier_rename_badge_and_reorder(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    launch, build, *_ = program.tiers.order_by("position")
    badge = SimpleUploadedFile("build.png", PNG, content_type="image/png")
    response = tiers_client.post(u(tenant, "tier_edit", tier_id=build.pk), {"name": "Builder", "badge": badge})
    assert response.status_code == 302
    build.refresh_from_db()
    assert build.name == "Builder" and build.badge.name.startswith("partners/badges/")
    response = tiers_client.post(u(tenant, "tier_edit", tier_id=build.pk), {"name": "launch"})
    assert b"already has a tier with this name" in response.content
    tiers_client.post(u(tenant, "tier_move", tier_id=build.pk), {"direction": "up"})
    assert [t.name for t in program.tiers.order_by("position")][:2] == ["Builder", "Launch"]
    assert tiers_client.get(u(tenant, "tier_move", tier_id=build.pk)).status_code == 405
    page = tiers_client.get(u(tenant, "program_detail", program_id=program.pk))
    assert b'alt="Builder badge"' in page.content


def test_benefit_library_and_values(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    tiers_client.post(u(tenant, "benefit_add"), {"name": "Margin Uplift"})
    response = tiers_client.post(u(tenant, "benefit_add"), {"name": "margin uplift"})
    assert b"already has a benefit" in response.content
    benefit = Benefit.objects.get(tenant=tenant)
    tiers = list(program.tiers.order_by("position"))
    data = {f"b{benefit.id}_t{t.id}": v for t, v in zip(tiers, ["", "5%", "10%", "15%"], strict=True)}
    response = tiers_client.post(u(tenant, "benefit_values", program_id=program.pk), data)
    assert response.status_code == 302
    assert sorted(TierBenefit.objects.filter(benefit=benefit).values_list("value", flat=True)) == ["10%", "15%", "5%"]
    page = tiers_client.get(u(tenant, "program_detail", program_id=program.pk)).content.decode()
    assert "Margin Uplift" in page and "15%" in page


def test_opportunity_crud_marks_due_and_records(tenant, tiers_client):
    enrollment = f.PartnerEnrollmentFactory(program__tenant=tenant)
    data = {
        "account": enrollment.account.pk,
        "owner": enrollment.primary_partner_user.user.pk,
        "name": "Big deal",
        "amount": "1000.00",
        "expected_revenue": "0",
        "currency": "eur",
        "stage": "closed_won",
        "close_date": "2026-03-01",
        "created_date": "2026-02-01",
    }
    assert tiers_client.post(u(tenant, "opportunity_add"), data).status_code == 302
    opp = Opportunity.objects.get(tenant=tenant)
    assert opp.currency == "EUR"
    assert PartnerEnrollment.objects.get(pk=enrollment.pk).recalc_due_at is not None
    data["amount"] = "abc"
    response = tiers_client.post(u(tenant, "opportunity_edit", opportunity_id=opp.pk), data)
    assert response.status_code == 200 and b"Enter a number" in response.content
    data["amount"] = "2000"
    tiers_client.post(u(tenant, "opportunity_edit", opportunity_id=opp.pk), data)
    opp.refresh_from_db()
    assert opp.amount == Decimal("2000")
    dialog = tiers_client.get(u(tenant, "opportunity_delete", opportunity_id=opp.pk), headers={"HX-Request": "true"})
    assert b"Delete opportunity" in dialog.content
    tiers_client.post(u(tenant, "opportunity_delete", opportunity_id=opp.pk))
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    assert list(
        ActivityEntry.objects.filter(object_type="Opportunity").order_by("id").values_list("action", flat=True)
    ) == ["create", "update", "delete"]


def test_foreign_account_is_not_a_choice(tenant, other_tenant, tiers_client):
    foreign = f.PartnerAccountFactory(tenant=other_tenant)
    data = {"account": foreign.pk, "name": "x", "amount": "1", "currency": "USD", "stage": "closed_won"}
    data |= {"close_date": "2026-03-01", "created_date": "2026-02-01", "expected_revenue": "0"}
    response = tiers_client.post(u(tenant, "opportunity_add"), data)
    assert b"Select a valid choice" in response.content
    assert not Opportunity.objects.exists()


def test_import_preview_shows_row_errors_and_saves_nothing_then_imports(tenant, tiers_client):
    enrollment = f.PartnerEnrollmentFactory(program__tenant=tenant, account__name="Northwind")
    owner = enrollment.primary_partner_user.user.email
    bad = (
        "account,owner,name,amount,currency,stage,close_date\n"
        f"Northwind,{owner},Deal A,1000,USD,Closed Won,2026-03-01\n"
        "Nowhere,,Deal B,abc,USD,Won,2026-13-01\n"
    )
    upload = SimpleUploadedFile("opps.csv", bad.encode(), content_type="text/csv")
    response = tiers_client.post(u(tenant, "opportunity_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 row cannot be imported" in html
    assert "account: “Nowhere” not found in this workspace." in html
    assert "amount: “abc” is not a number." in html
    assert "close_date: “2026-13-01” is not a date (use YYYY-MM-DD)." in html
    assert 'id="confirm-import"' not in html
    assert not Opportunity.objects.exists()

    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\nNorthwind,,Deal C,2500,usd,closed_won,2026-04-01\n"
    upload = SimpleUploadedFile("opps.csv", good.encode(), content_type="text/csv")
    preview = tiers_client.post(u(tenant, "opportunity_import"), {"file": upload})
    assert b"Ready: 2 new" in preview.content and not Opportunity.objects.exists()
    response = tiers_client.post(u(tenant, "opportunity_import"), {"payload": good, "confirm": "on"})
    assert response.status_code == 302
    assert Opportunity.objects.filter(tenant=tenant).count() == 2
    assert PartnerEnrollment.objects.get(pk=enrollment.pk).recalc_due_at is not None
    entry = ActivityEntry.objects.get(verb="imported opportunities")
    assert entry.count == 2


def test_import_leads_and_course_assignments(tenant, tiers_client):
    pu = f.PartnerUserFactory(account__tenant=tenant, account__name="Contoso")
    leads = f"account,owner,company,status,approval_date\nContoso,{pu.user.email},Fabrikam,Approved,2026-03-01\n"
    response = tiers_client.post(u(tenant, "lead_import"), {"payload": leads, "confirm": "on"})
    assert response.status_code == 302
    courses = f"partner_user,course_name,completed_date\n{pu.user.email},Sales Certification,2026-03-01\n"
    courses += "nobody@example.test,Sales Certification,2026-03-01\n"
    response = tiers_client.post(u(tenant, "course_import"), {"payload": courses, "confirm": "on"})
    assert response.status_code == 200 and "not found in this workspace" in response.content.decode()
    assert not pu.course_assignments.exists()


def test_partner_user_and_rate_pages(tenant, tiers_client):
    account = f.PartnerAccountFactory(tenant=tenant)
    person = member(tenant, "Partner User")
    outsider = member(f.TenantFactory(slug="elsewhere", name="Elsewhere"), "Partner User")
    response = tiers_client.post(u(tenant, "partner_user_add"), {"account": account.pk, "user": outsider.user.pk})
    assert b"Select a valid choice" in response.content
    response = tiers_client.post(
        u(tenant, "partner_user_add"), {"account": account.pk, "user": person.user.pk, "is_partner_admin": "on"}
    )
    assert response.status_code == 302
    assert account.partner_users.get().is_partner_admin
    data = {"date": "2026-01-01", "from_currency": "eur", "to_currency": "usd", "rate": "1.1"}
    assert tiers_client.post(u(tenant, "rate_add"), data).status_code == 302
    response = tiers_client.post(u(tenant, "rate_add"), data)
    assert b"already a rate for this pair" in response.content
    response = tiers_client.post(u(tenant, "rate_add"), data | {"date": "2026-02-01", "to_currency": "EUR"})
    assert b"different from the source currency" in response.content


def test_program_recalculate_and_delete(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    f.CriterionFactory(program=program)
    f.PartnerEnrollmentFactory.create_batch(3, program=program)
    dialog = tiers_client.get(u(tenant, "program_recalculate", program_id=program.pk), headers={"HX-Request": "true"})
    assert b"all 3 enrollments" in dialog.content
    response = tiers_client.post(u(tenant, "program_recalculate", program_id=program.pk), follow=True)
    assert b"Recalculated 3 enrollments." in response.content
    response = tiers_client.post(u(tenant, "program_delete", program_id=program.pk), follow=True)
    assert b"has enrollments" in response.content
    empty = f.PartnerProgramFactory(tenant=tenant)
    tiers_client.post(u(tenant, "program_delete", program_id=empty.pk))
    assert not PartnerProgram.objects.filter(pk=empty.pk).exists()
