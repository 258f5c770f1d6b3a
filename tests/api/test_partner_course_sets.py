"""PartnerEnrollments, PartnerProgress, CourseEnrollments and SalesOrders entity sets."""

import datetime as dt
from decimal import Decimal

import pytest

from partners.models import CriterionResult
from tests.courses.factories import CourseEnrollmentFactory, SalesOrderFactory
from tests.partners.factories import (
    CriterionFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    set_thresholds,
    tier,
)


@pytest.fixture
def partner(tenant):
    enrollment = PartnerEnrollmentFactory(program=PartnerProgramFactory(tenant=tenant), account__name="Initech")
    program = enrollment.program
    revenue = CriterionFactory(program=program, name="Revenue")
    deals = CriterionFactory(program=program, name="Closed deals", kind="closed_deals")
    set_thresholds(revenue, [0, 10000, 50000, 100000])
    set_thresholds(deals, [0, 5, 10, 20])
    enrollment.next_tier = tier(program, "Build")
    enrollment.progress_percent = Decimal("92.0")
    enrollment.last_calculated = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    enrollment.save()
    CriterionResult.objects.create(
        tenant=tenant, enrollment=enrollment, criterion=revenue, value=Decimal("12000"), percent=Decimal("100.0")
    )
    CriterionResult.objects.create(
        tenant=tenant, enrollment=enrollment, criterion=deals, value=Decimal("4"), percent=Decimal("80.0")
    )
    return enrollment


@pytest.mark.django_db
def test_partner_enrollments(odata, partner, other_tenant):
    PartnerEnrollmentFactory(program=PartnerProgramFactory(tenant=other_tenant))
    rows = odata.json("PartnerEnrollments", {"$expand": "PrimaryPartnerUser"})["value"]
    assert len(rows) == 1
    row = rows[0]
    assert row["Account"] == "Initech" and row["Tier"] == "Launch" and row["NextTier"] == "Build"
    assert row["ProgressPercent"] == 92.0 and row["LastCalculated"] == "2026-11-20T15:30:00Z"
    assert row["PrimaryPartnerUser"]["Email"] == partner.primary_partner_user.user.email
    assert odata.json("PartnerEnrollments", {"$filter": "Tier eq 'Build'"})["value"] == []


@pytest.mark.django_db
def test_partner_progress_per_criterion(odata, partner):
    rows = odata.json("PartnerProgress", {"$orderby": "Criterion desc", "$expand": "PartnerEnrollment"})["value"]
    assert [(r["Criterion"], r["Value"], r["NextTierThreshold"], r["MetNextTier"]) for r in rows] == [
        ("Revenue", 12000, 10000, True),
        ("Closed deals", 4, 5, False),
    ]
    assert rows[0]["PartnerEnrollment"]["Id"] == partner.pk
    unmet = odata.json("PartnerProgress", {"$filter": f"PartnerEnrollmentId eq {partner.pk} and MetNextTier eq false"})
    assert [r["Criterion"] for r in unmet["value"]] == ["Closed deals"]


@pytest.mark.django_db
def test_course_enrollments_show_effective_status_and_expiry(odata, tenant, other_tenant):
    past = SalesOrderFactory(
        tenant=tenant, tran_id="SO-OLD", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31)
    )
    live = SalesOrderFactory(tenant=tenant, tran_id="SO-NEW", end_date=dt.date(2027, 6, 30))
    lapsed = CourseEnrollmentFactory(tenant=tenant, sales_order=past)  # stored E, effectively X
    manual = CourseEnrollmentFactory(tenant=tenant, sales_order=live, manual_expiration_date=dt.date(2027, 1, 15))
    gone = CourseEnrollmentFactory(tenant=tenant, sales_order=live, status="U")
    CourseEnrollmentFactory(tenant=other_tenant)
    rows = {r["Id"]: r for r in odata.json("CourseEnrollments", {"$expand": "SalesOrder,User"})["value"]}
    assert set(rows) == {lapsed.pk, manual.pk, gone.pk}
    assert (rows[lapsed.pk]["Status"], rows[lapsed.pk]["StoredStatus"]) == ("X", "E")
    assert rows[lapsed.pk]["EffectiveExpiry"] == "2025-12-31"
    assert rows[manual.pk]["Status"] == "E" and rows[manual.pk]["EffectiveExpiry"] == "2027-01-15"
    assert rows[gone.pk]["Status"] == "U"
    assert rows[manual.pk]["SalesOrder"]["TranId"] == "SO-NEW"
    assert rows[lapsed.pk]["User"]["Email"] == lapsed.learner.user.email
    expired = odata.json("CourseEnrollments", {"$filter": "Status eq 'X'", "$select": "Id"})["value"]
    assert [r["Id"] for r in expired] == [lapsed.pk]
    soon = odata.json(
        "CourseEnrollments", {"$filter": "EffectiveExpiry lt 2027-03-01 and EffectiveExpiry ge 2026-01-01"}
    )
    assert [r["Id"] for r in soon["value"]] == [manual.pk]


@pytest.mark.django_db
def test_sales_orders(odata, tenant, other_tenant):
    so = SalesOrderFactory(tenant=tenant, tran_id="SO-7", end_date=dt.date(2027, 6, 30))
    CourseEnrollmentFactory.create_batch(2, tenant=tenant, sales_order=so)
    SalesOrderFactory(tenant=other_tenant, tran_id="SO-7")
    rows = odata.json("SalesOrders", {"$filter": "TranId eq 'SO-7'", "$count": "true"})
    assert rows["@odata.count"] == 1
    assert rows["value"][0]["EndDate"] == "2027-06-30" and rows["value"][0]["EnrollmentCount"] == 2
    assert odata.json(f"SalesOrders({so.pk})")["TranId"] == "SO-7"
