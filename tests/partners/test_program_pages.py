"""Configuration pages: programs, tiers, criteria and benefits. Happy paths, field errors next to
the fields, fixed query counts, recalculate and delete."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.changes import readable_changes
from activity.models import ActivityEntry
from activity.services import record
from jobs.models import Job
from jobs.services import run_job
from partners import services
from partners.models import (
    Benefit,
    Criterion,
    CriterionKind,
    CriterionThreshold,
    PartnerProgram,
    TierBenefit,
)
from tests.partners import factories as f

pytestmark = pytest.mark.django_db


# A 2x2 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000200000002080600000072b60d24000000144944415478"
    "9c633cc190f29f8181818189010a00214c022fd2e9a4200000000049454e44ae426082"
)


def u(tenant, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


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
    with django_assert_num_queries(10):  # + the recent Recalculate all jobs
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


def test_program_recalculate_and_delete(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    f.CriterionFactory(program=program)
    f.PartnerEnrollmentFactory.create_batch(3, program=program)
    dialog = tiers_client.get(u(tenant, "program_recalculate", program_id=program.pk), headers={"HX-Request": "true"})
    assert b"all 3 enrollments" in dialog.content
    response = tiers_client.post(u(tenant, "program_recalculate", program_id=program.pk), follow=True)
    assert b"Recalculate all started" in response.content and b'role="progressbar"' in response.content
    again = tiers_client.post(u(tenant, "program_recalculate", program_id=program.pk), follow=True)
    assert b"Recalculate all is already running" in again.content
    job = Job.objects.get(tenant=tenant, kind="partners.recalculate_all")  # one, however many clicks
    assert run_job(job.pk) == "succeeded"
    page = tiers_client.get(u(tenant, "program_detail", program_id=program.pk)).content.decode()
    assert "Recalculated 3 enrollments." in page and "Recalculate all: recent runs" in page
    assert 'role="progressbar"' not in page, "no bar once it has ended"
    assert all(e.last_calculated for e in program.enrollments.all())
    response = tiers_client.post(u(tenant, "program_delete", program_id=program.pk), follow=True)
    assert b"has enrollments" in response.content
    empty = f.PartnerProgramFactory(tenant=tenant)
    tiers_client.post(u(tenant, "program_delete", program_id=empty.pk))
    assert not PartnerProgram.objects.filter(pk=empty.pk).exists()


def test_thresholds_read_as_plain_grouped_numbers_everywhere(tenant, tiers_client):
    """Never "2.5E+4" or "→ 5E+5": the criterion form, the program page and the activity log."""
    program = f.PartnerProgramFactory(tenant=tenant)
    revenue = f.CriterionFactory(program=program, name="Revenue", kind=CriterionKind.REVENUE)
    f.set_thresholds(revenue, [25_000, 100_000, 500_000, 1_000_000])
    deals = f.CriterionFactory(program=program, name="Deals", kind=CriterionKind.CLOSED_DEALS)
    f.set_thresholds(deals, [10, 100_000, 250_000, 1_500_000])
    form = tiers_client.get(f"/w/{tenant.slug}/partners/criteria/{revenue.pk}/edit/").content.decode()
    assert 'value="25000"' in form and 'value="100000"' in form and "E+" not in form
    page = tiers_client.get(f"/w/{tenant.slug}/partners/programs/{program.pk}/").content.decode()
    assert "&ge; 100,000<" in page and "&ge; 1,500,000<" in page and "E+" not in page
    tiers = list(program.tiers.order_by("position"))
    values = dict(
        zip([t.id for t in tiers], [Decimal("25000"), Decimal("1E+5"), Decimal("6E+5"), Decimal("1E+6")], strict=True)
    )
    services.criterion_update(revenue, actor=None, data={}, thresholds=values)
    entry = ActivityEntry.objects.filter(tenant=tenant, object_type="Criterion").latest("id")
    assert "Threshold Scale: 500,000 → 600,000" in [str(c) for c in readable_changes(entry)]
    old = record(
        tenant=tenant, actor=None, action="update", target=revenue, changes={"threshold Scale": ["1E+5", "5E+5"]}
    )
    assert [str(c) for c in readable_changes(old)] == ["Threshold Scale: 100,000 → 500,000"]
    with pytest.raises(ValidationError) as exc:
        values[tiers[2].id] = Decimal("5E+4")
        services.criterion_update(revenue, actor=None, data={}, thresholds=values)
    assert "Must be at least 100,000 (the Build threshold)." in str(exc.value)


def test_criterion_filter_text_names_each_condition_once(tenant, tiers_client):
    program = f.PartnerProgramFactory(tenant=tenant)
    f.CriterionFactory(
        program=program,
        name="Approved registrations",
        kind=CriterionKind.APPROVED_REGISTRATIONS,
        conditions=[{"field": "status", "op": "=", "value": "approved"}],
    )
    page = tiers_client.get(f"/w/{tenant.slug}/partners/programs/{program.pk}/").content.decode()
    assert "status = Approved" in page and "status = Approved; status = Approved" not in page
