"""Enrollment Details and Recalculate: content, the live swap, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from activity.models import ActivityEntry
from partners.models import PartnerEnrollment
from tests.conftest import login
from tests.partners.factories import (
    OpportunityFactory,
    enrolled_partner,
    hashed_grouping_statements,
    manager,
    program_with_criteria,
)
from tests.partners.factories import (
    enrollment_url as url,
)

pytestmark = pytest.mark.django_db


def test_details_page_shows_the_seed_sections(client, tenant, setup):
    program, enrollment = setup
    html = client.get(url(tenant, enrollment)).content.decode()
    # Main information with links
    assert f"/partners/programs/{program.pk}/" in html and f"?account={enrollment.account_id}" in html
    assert "01/01/2026" in html and "12/31/2026" in html
    assert enrollment.primary_partner_user.user.email in html
    last = timezone.localtime(enrollment.last_calculated, tenant.zone).strftime("%m/%d/%Y %I:%M %p")
    assert f'<dd id="last-calculated">{last}</dd>' in html
    # Tier progress: current tier, headline, tier map in sequence with the current one marked
    assert '<div class="tier-current-name" id="current-tier">Launch</div>' in html
    assert "66% to Build" in html
    positions = [html.index(f'<span class="tier-map-name">{n}</span>') for n in ("Launch", "Build", "Scale", "Elevate")]
    assert positions == sorted(positions)
    assert html.count('aria-current="step"') == 1
    # Criteria: value formats, thresholds per tier, met / not met, progress toward Build
    assert "USD 125,000.00" in html and "15 registrations" in html
    assert "≥ USD 500,000.00" in html and "≥ 25" in html
    assert html.count('class="met"') >= 4 and 'class="unmet"' in html
    assert "needs verification" in html
    # Benefits with the current tier highlighted
    assert 'class="current-tier">Yes' in html and "$50,000" in html
    assert "No tier changes yet" in html
    assert "Recalculation pending" not in html


def test_details_query_count_is_fixed_with_10_criteria(client, tenant, django_assert_num_queries):
    program = program_with_criteria(tenant, extra_criteria=7)  # 3 + 7 = 10 criteria
    enrollment = enrolled_partner(program)
    login(client, manager(tenant))
    # session, membership with its user; enrollment; tiers; criteria + thresholds; results; custom
    # statuses; benefit values + library; tier history; deals with no exchange rate; expiration
    # notices.
    with django_assert_num_queries(13 + hashed_grouping_statements()):
        response = client.get(url(tenant, enrollment))
    assert response.content.decode().count("Closed deals ") == 7


def test_recalculate_updates_this_enrollment_only_and_swaps_the_live_part(client, tenant, setup):
    program, enrollment = setup
    other = enrolled_partner(program, account_name="Untouched")
    long_ago = timezone.now() - dt.timedelta(days=3)
    PartnerEnrollment.objects.filter(pk__in=[enrollment.pk, other.pk]).update(last_calculated=long_ago)
    OpportunityFactory(account=enrollment.account, amount=Decimal("400000"))  # revenue 525,000: Scale met
    response = client.post(url(tenant, enrollment, "recalculate/"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="enrollment-live">')
    assert "USD 525,000.00" in html and "Recalculated just now" in html
    enrollment.refresh_from_db()
    other.refresh_from_db()
    assert enrollment.last_calculated > long_ago
    assert timezone.localtime(enrollment.last_calculated, tenant.zone).strftime("%m/%d/%Y %I:%M %p") in html
    assert other.last_calculated == long_ago
    entries = ActivityEntry.objects.filter(object_id=str(enrollment.pk), verb="recalculated progress")
    assert entries.filter(actor__isnull=False).count() == 1


def test_recalculate_needs_post(client, tenant, setup):
    _, enrollment = setup
    assert client.get(url(tenant, enrollment, "recalculate/")).status_code == 405
    response = client.post(url(tenant, enrollment, "recalculate/"))
    assert response.status_code == 302 and response["Location"] == url(tenant, enrollment)


def test_progress_toward_every_higher_tier_is_shown(client, tenant):
    """Met criteria do not stop at "100%": $130,000 against Scale's $500,000 is 26% to Scale."""
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program, revenue=Decimal("130000"), registrations=15)
    login(client, manager(tenant))
    html = client.get(url(tenant, enrollment)).content.decode()
    assert enrollment.progress_label == "66% to Build"
    grid = html[html.index('id="criteria-table"') :]
    revenue = grid[grid.index("Annual Partner Revenue") : grid.index("Deal Registrations")]
    assert "26% to Scale" in revenue and "13% to Elevate" in revenue
    registrations = grid[grid.index("Deal Registrations") : grid.index("Joint Business Plan")]
    assert "60% to Scale" in registrations and "30% to Elevate" in registrations
    tier_map = html[html.index('aria-label="Program tiers"') : html.index("</ol>")]
    # Scale: (26 + 60 + 0) / 3; Elevate: (13 + 30 + 0) / 3, both floored.
    assert 'data-tier="Scale">28% to Scale<' in tier_map and 'data-tier="Elevate">14% to Elevate<' in tier_map
    assert "to Launch" not in tier_map
    # The partner portal reads the same.
    client.force_login(enrollment.primary_partner_user.user)
    portal = client.get(f"/w/{tenant.slug}/partners/portal/").content.decode()
    assert "28% to Scale" in portal and "14% to Elevate" in portal
