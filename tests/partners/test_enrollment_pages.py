"""The Enrollments tab, a program's Enrollments tab and the attention presets: capability checks,
content, filters, export, query counts."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from partners.models import PartnerEnrollment
from partners.selectors import attention_counts
from tests.clock import travel
from tests.conftest import login
from tests.factories import member
from tests.partners.factories import (
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    bulk_enrollments,
    enrolled_partner,
    manager,
    program_with_criteria,
    tier,
)

pytestmark = pytest.mark.django_db


def url(tenant, path=""):
    return f"/w/{tenant.slug}/partners/{path}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("Administrator", 200),
        ("Partner Program Tiers Access", 200),
        ("Partner User", 403),
        ("Sales Rep", 403),
        ("Client Admin", 403),
        ("Manager", 403),
        ("Learner", 403),
    ],
)
def test_admin_pages_need_partner_tiers(client, tenant, role, status):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program)
    login(client, member(tenant, role))
    for path in (
        "enrollments/",
        f"enrollments/{enrollment.pk}/",
        f"enrollments/{enrollment.pk}/edit/",
        f"programs/{program.pk}/enrollments/",
    ):
        assert client.get(url(tenant, path)).status_code == status, path
    response = client.post(url(tenant, f"enrollments/{enrollment.pk}/recalculate/"))
    assert response.status_code == (302 if status == 200 else 403)


def test_enrollments_list_shows_every_column(client, tenant):
    program = program_with_criteria(tenant)
    enrolled_partner(program)
    login(client, manager(tenant))
    response = client.get(url(tenant, "enrollments/"))
    html = response.content.decode()
    for text in ("Prairie Systems", "Global Partner Program", "Launch", "66% to Build", "01/01/2026", "12/31/2026"):
        assert text in html
    last = timezone.localtime(PartnerEnrollment.objects.get().last_calculated, tenant.zone)
    assert last.strftime("%m/%d/%Y %I:%M %p") in html


def test_filter_by_program_and_tier_and_sort_by_expiration(client, tenant):
    a = PartnerProgramFactory(tenant=tenant, name="Alpha")
    b = PartnerProgramFactory(tenant=tenant, name="Beta")
    PartnerEnrollmentFactory(program=a, account__name="Early", expiration_date=dt.date(2027, 1, 31))
    PartnerEnrollmentFactory(program=a, account__name="Late", expiration_date=dt.date(2028, 6, 30))
    PartnerEnrollmentFactory(program=a, account__name="Builder", tier=tier(a, "Build"))
    PartnerEnrollmentFactory(program=b, account__name="Other program")
    login(client, manager(tenant))
    html = client.get(url(tenant, f"enrollments/?program={a.pk}")).content.decode()
    assert "Early" in html and "Builder" in html and "Other program" not in html
    html = client.get(url(tenant, f"enrollments/?tier={tier(a, 'Build').pk}")).content.decode()
    assert "Builder" in html and "Early" not in html
    html = client.get(url(tenant, f"enrollments/?program={a.pk}&sort=-expiration_date")).content.decode()
    assert html.index("Late") < html.index("Early")
    html = client.get(url(tenant, f"enrollments/?program={a.pk}&sort=expiration_date")).content.decode()
    assert html.index("Early") < html.index("Late")


def test_tier_filter_offers_only_this_tenants_tiers(client, tenant, other_tenant):
    PartnerProgramFactory(tenant=tenant, name="Mine")
    foreign = PartnerProgramFactory(tenant=other_tenant, name="Foreign program")
    login(client, manager(tenant))
    html = client.get(url(tenant, "enrollments/")).content.decode()
    assert "Mine · Launch" in html and "Foreign program" not in html
    response = client.get(url(tenant, f"enrollments/?tier={tier(foreign, 'Launch').pk}"))
    assert "Select a valid choice" in response.content.decode()


def test_htmx_request_gets_only_the_table(client, tenant):
    PartnerEnrollmentFactory(program__tenant=tenant, account__name="Swapped")
    login(client, manager(tenant))
    response = client.get(url(tenant, "enrollments/?sort=account"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="table-container"' in html and "Swapped" in html and "<html" not in html


def test_export_csv_and_xlsx_hold_the_filtered_rows(client, tenant):
    program = program_with_criteria(tenant)
    enrolled_partner(program)
    PartnerEnrollmentFactory(program__tenant=tenant, account__name="Filtered out")
    login(client, manager(tenant))
    response = client.get(url(tenant, f"enrollments/?program={program.pk}&export=csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Partner account",
        "Program",
        "Tier",
        "Progress",
        "Enrollment date",
        "Expiration date",
        "Last calculated",
    ]
    assert len(rows) == 2 and rows[1][:4] == ["Prairie Systems", "Global Partner Program", "Launch", "66% to Build"]
    response = client.get(url(tenant, f"enrollments/?program={program.pk}&export=xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][0] == "Prairie Systems"


def _enrollment(program, name, **fields):
    e = PartnerEnrollmentFactory(program=program, account__name=name)
    PartnerEnrollment.objects.filter(pk=e.pk).update(**fields)
    return e


def test_attention_presets(client, tenant):
    program = PartnerProgramFactory(tenant=tenant)
    build = tier(program, "Build")
    now = timezone.now()
    fresh = {"last_calculated": now, "progress_changed_at": now, "next_tier": build}
    _enrollment(program, "Nearly there", progress_percent=Decimal("92.5"), **fresh)
    _enrollment(program, "Just at 85", progress_percent=Decimal("85.0"), **fresh)
    _enrollment(program, "Too far", progress_percent=Decimal("84.9"), **fresh)
    _enrollment(program, "Already 96", progress_percent=Decimal("96.0"), **fresh)
    _enrollment(
        program,
        "Expiring soon",
        progress_percent=Decimal(10),
        expiration_date=timezone.localdate() + dt.timedelta(days=30),
        **fresh,
    )
    _enrollment(
        program,
        "Stalled partner",
        progress_percent=Decimal(20),
        last_calculated=now,
        progress_changed_at=now - dt.timedelta(days=61),
        next_tier=build,
        expiration_date=dt.date(2027, 12, 31),
    )
    _enrollment(
        program,
        "Stale numbers",
        progress_percent=Decimal(30),
        last_calculated=now - dt.timedelta(days=8),
        progress_changed_at=now,
        next_tier=build,
        expiration_date=dt.date(2027, 12, 31),
    )
    login(client, manager(tenant))

    def names(view):
        html = client.get(url(tenant, f"enrollments/?view={view}")).content.decode()
        body = html[html.index("<tbody>") :]
        return {
            n
            for n in (
                "Nearly there",
                "Just at 85",
                "Too far",
                "Already 96",
                "Expiring soon",
                "Stalled partner",
                "Stale numbers",
            )
            if n in body
        }

    assert names("approaching") == {"Nearly there", "Just at 85"}
    assert "Expiring soon" in names("expiring") and "Stalled partner" not in names("expiring")
    assert names("stalled") == {"Stalled partner"}
    assert names("stale") == {"Stale numbers"}
    home = client.get(f"/w/{tenant.slug}/").content.decode()
    assert "Partner enrollments needing attention" in home


def test_program_enrollments_tab_with_tier_distribution(client, tenant):
    program = PartnerProgramFactory(tenant=tenant, name="Distributed")
    for i in range(4):
        PartnerEnrollmentFactory(program=program, account__name=f"Launch {i}")
    for i in range(3):
        PartnerEnrollmentFactory(program=program, account__name=f"Build {i}", tier=tier(program, "Build"))
    PartnerEnrollmentFactory(program=program, account__name="Scale 0", tier=tier(program, "Scale"))
    PartnerEnrollmentFactory(program__tenant=tenant, account__name="Elsewhere")
    login(client, manager(tenant))
    html = client.get(url(tenant, f"programs/{program.pk}/enrollments/")).content.decode()
    assert "Tier distribution" in html
    assert "4 · 50%" in html and "3 · 37.5%" in html and "1 · 12.5%" in html and "0 · 0%" in html
    assert 'class="w-50"' in html  # the bar's width, as a class (no inline styles under the CSP)
    assert "Launch 0" in html and "Elsewhere" not in html
    assert "8 rows" in html


@pytest.mark.parametrize("n", [500, 1500])
def test_enrollments_list_query_count_is_fixed(client, tenant, django_assert_num_queries, n):
    program = PartnerProgramFactory(tenant=tenant)
    bulk_enrollments(program, n)
    login(client, manager(tenant))
    # session, membership with its user and role; attention counts; program choices; the workspace's
    # tiers (the Tier choices, and the page's tiers and next tiers: no join, no prefetch); COUNT; page.
    with django_assert_num_queries(7):
        response = client.get(url(tenant, "enrollments/?sort=-expiration_date"))
    assert f"{n} rows" in response.content.decode()
    # The program's own tab: the program; its tier distribution; its tiers for the filter.
    with django_assert_num_queries(9):
        client.get(url(tenant, f"programs/{program.pk}/enrollments/?view=approaching"))


def test_account_link_lists_that_accounts_enrollments(client, tenant):
    mine = PartnerEnrollmentFactory(program__tenant=tenant, account__name="Linked Partner")
    PartnerEnrollmentFactory(program=mine.program, account__name="Someone Else")
    login(client, manager(tenant))
    html = client.get(url(tenant, f"enrollments/?account={mine.account_id}")).content.decode()
    assert "Showing the enrollments of <strong>Linked Partner</strong>" in html
    assert "1 row" in html and "Someone Else" not in html.split("<tbody>")[1]


@pytest.mark.parametrize("local_hour", [0, 12, 23])
def test_stalled_counts_calendar_days_in_the_workspace_zone(client, tenant, local_hour):
    """60+ days means 60 calendar days in the workspace's zone, whatever the hour it is now."""
    program = PartnerProgramFactory(tenant=tenant)
    zone = tenant.zone
    sixty = PartnerEnrollmentFactory(program=program, account__name="Sixty days")
    fifty_nine = PartnerEnrollmentFactory(program=program, account__name="Fifty-nine days")
    build = tier(program, "Build")
    PartnerEnrollment.objects.filter(pk=sixty.pk).update(
        next_tier=build, progress_changed_at=dt.datetime(2026, 9, 24, 23, 30, tzinfo=zone)
    )
    PartnerEnrollment.objects.filter(pk=fifty_nine.pk).update(
        next_tier=build, progress_changed_at=dt.datetime(2026, 9, 25, 0, 10, tzinfo=zone)
    )
    login(client, manager(tenant))
    with travel(dt.datetime(2026, 11, 23, local_hour, 40, tzinfo=zone)):
        html = client.get(url(tenant, "enrollments/?view=stalled")).content.decode()
        assert attention_counts(tenant=tenant)["stalled"] == 1
    assert "Sixty days" in html and "Fifty-nine days" not in html


def _typed_export_rows(tenant):
    """The CSV rows formatted in Python from the ORM's typed values (Decimal percent, dates,
    datetimes), as the export built them before the database wrote its dates: the reference the
    export must match byte for byte."""
    from common.export import neutralise, text_formatters

    date_text, datetime_text = text_formatters(tenant.zone)
    rows = (
        PartnerEnrollment.objects.filter(tenant=tenant)
        .order_by("account__name", "program__name")
        .values_list(
            "account__name",
            "program__name",
            "tier__name",
            "progress_percent",
            "next_tier__name",
            "enrollment_date",
            "expiration_date",
            "last_calculated",
        )
    )
    for account, program, tier_name, percent, next_tier, start, end, last in rows:
        if next_tier is None:
            progress = "Top tier" if last else "Not calculated"
        else:
            progress = f"{int(percent)}% to {next_tier}" if percent is not None else f"— to {next_tier}"
        yield [
            *(neutralise(v) for v in (account, program, tier_name, progress)),
            date_text(start),
            date_text(end),
            datetime_text(last),
        ]


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_export_csv_is_the_typed_values_formatted(client, tenant, zone):
    """Awkward values: no percent, negative and fractional percents, top tiers calculated or
    not, dates at year ends, Last Calculated either side of midnight in the workspace's zone,
    quotes, commas, unicode and formula-like names."""
    from common.export import csv_chunks

    tenant.time_zone = zone
    tenant.save()
    program = PartnerProgramFactory(tenant=tenant, name='Global, "Premier" – Zoë', tiers=["=Launch", "Build"])
    launch, build = tier(program, "=Launch"), tier(program, "Build")
    utc = dt.UTC
    cases = [
        ('Ann "The Closer" O\'Neil', launch, build, Decimal("85.7"), dt.datetime(2026, 12, 31, 23, 30, tzinfo=utc)),
        ("Smith, Jr.", launch, build, None, None),
        ("Zoë Ünïcødé", launch, build, Decimal("-0.5"), dt.datetime(2027, 1, 1, 4, 59, 59, 999_999, tzinfo=utc)),
        ("=HYPERLINK(1)", build, None, Decimal("100.0"), dt.datetime(2026, 1, 1, tzinfo=utc)),
        ("-minus", build, None, None, None),
        ("@at", launch, build, Decimal("99.9"), dt.datetime(2026, 7, 4, 12, 0, 0, 1, tzinfo=utc)),
    ]
    for i, (name, current, next_tier, percent, last) in enumerate(cases):
        _enrollment(
            program,
            name,
            tier=current,
            next_tier=next_tier,
            progress_percent=percent,
            last_calculated=last,
            enrollment_date=dt.date(2026, 12, 31) - dt.timedelta(days=i),
            expiration_date=dt.date(2027, 1, 1) + dt.timedelta(days=365 * i),
        )
    login(client, manager(tenant))
    response = client.get(url(tenant, "enrollments/?export=csv"))
    body = b"".join(response.streaming_content).decode("utf-8")
    header = body.splitlines()[0].lstrip("\ufeff").split(",")
    assert body == "".join(csv_chunks(header, list(_typed_export_rows(tenant)), formatted=True))
    assert body.count("\n") == 1 + len(cases)


def test_the_filter_form_keeps_the_account_a_link_scoped_the_list_to(client, tenant):
    """A search or a Reset on the account's enrollments stays on that account: the form carries
    ``account`` (it is no filter field), where it used to widen the list to every partner."""
    mine = PartnerEnrollmentFactory(program__tenant=tenant, account__name="Linked Partner")
    PartnerEnrollmentFactory(program=mine.program, account__name="Linked Rival")
    login(client, manager(tenant))
    html = client.get(url(tenant, f"enrollments/?account={mine.account_id}")).content.decode()
    form = html.split('<form class="filters"')[1].split("</form>")[0]
    assert f'<input type="hidden" name="account" value="{mine.account_id}">' in form
    assert f'href="/w/{tenant.slug}/partners/enrollments/?account={mine.account_id}">Reset</a>' in form
    # What the form then sends: the search within the account.
    searched = client.get(
        url(tenant, f"enrollments/?q=Linked&account={mine.account_id}"), headers={"HX-Request": "true"}
    )
    body = searched.content.decode()
    assert "1 row" in body and "Linked Rival" not in body
    # Without a link's account the form carries nothing more, and Reset is the bare list.
    plain = client.get(url(tenant, "enrollments/")).content.decode()
    assert 'type="hidden" name="account"' not in plain
    assert f'href="/w/{tenant.slug}/partners/enrollments/">Reset</a>' in plain


def test_attention_counts_are_each_presets_rows_for_the_workspace_or_a_program_on_any_day(tenant, other_tenant):
    """Counted by a statement compiled once: each call's workspace, program and dates."""
    from partners.selectors import preset_q
    from partners.selectors.enrollments import PRESETS

    program, second = PartnerProgramFactory(tenant=tenant), PartnerProgramFactory(tenant=tenant)
    build = tier(program, "Build")
    rows = [PartnerEnrollmentFactory(program=p) for p in (program, program, second, second)]
    today = timezone.localdate(timezone.now(), tenant.zone)
    PartnerEnrollment.objects.filter(pk=rows[0].pk).update(
        next_tier=build, progress_percent=Decimal(90), expiration_date=today + dt.timedelta(days=30)
    )
    PartnerEnrollment.objects.filter(pk=rows[1].pk).update(
        next_tier=build, progress_changed_at=timezone.now() - dt.timedelta(days=70), last_calculated=timezone.now()
    )
    PartnerEnrollment.objects.filter(pk=rows[2].pk).update(expiration_date=today + dt.timedelta(days=100))
    PartnerEnrollmentFactory(program=PartnerProgramFactory(tenant=other_tenant))
    seen = set()
    for days in (0, 20, 400):
        with travel(timezone.now() + dt.timedelta(days=days)):
            for of in (None, program, second):
                counts = attention_counts(tenant=tenant, program=of)
                mine = PartnerEnrollment.objects.filter(tenant=tenant, **({"program": of} if of else {}))
                assert counts == {name: mine.filter(preset_q(name, zone=tenant.zone)).count() for name in PRESETS}
                seen.add(tuple(counts.values()))
    assert len(seen) > 3  # the days and programs gave different counts: the values are each call's


def test_the_page_rows_take_their_tiers_from_the_workspace_tiers(tenant, django_assert_num_queries):
    """``attach_tiers``: tier and next tier from the list read once; one not in it is read by
    Django when used, and a row without a next tier keeps None."""
    from partners.selectors.enrollments import attach_tiers

    program = PartnerProgramFactory(tenant=tenant)
    build, scale = tier(program, "Build"), tier(program, "Scale")
    first = PartnerEnrollmentFactory(program=program, tier=build)
    PartnerEnrollment.objects.filter(pk=first.pk).update(next_tier=scale)
    second = PartnerEnrollmentFactory(program=program, tier=scale)
    rows = list(PartnerEnrollment.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
    with django_assert_num_queries(0):
        attach_tiers(rows, [build, scale])
        assert [(r.tier, r.next_tier) for r in rows] == [(build, scale), (scale, None)]
    rows = list(PartnerEnrollment.objects.filter(pk=first.pk))
    attach_tiers(rows, [build])
    with django_assert_num_queries(1):
        assert rows[0].tier is build and rows[0].next_tier == scale
