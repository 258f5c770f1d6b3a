"""The activity log reads as words: changes as "field: old → new" with labels, an entry's own
page linking to what a mass action touched, and an actor picker that tells namesakes apart.
The changes were shown as raw Python dicts, Recalculate recorded "None → 94.0", and the actor
filter was a select of about 500 names with indistinguishable duplicates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from activity.changes import readable_changes
from activity.models import ActivityEntry
from activity.services import record
from balances.services import clear_balance
from courses.services import expiry as course_services
from enrollments.services import reset_enrollments
from partners.services import recalculate_enrollment
from tests.balances.factories import RecoverableRewardFactory
from tests.clock import FROZEN_AT as NOW
from tests.courses.factories import CourseEnrollmentFactory
from tests.factories import member
from tests.partners.factories import enrolled_partner, program_with_criteria
from tests.plans.factories import PlanFactory
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

pytestmark = pytest.mark.django_db


def u(tenant, name, **kw):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kw})


def test_changes_are_labelled_words_not_dicts(admin_client, tenant, admin_member):
    rep = member(tenant, "Sales Rep", user__full_name="Rhea Lee")
    RecoverableRewardFactory(member=rep, amount=Decimal("500.00"))
    RecoverableRewardFactory(member=rep, amount=Decimal("40.00"), currency="EUR")
    clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
    entry = ActivityEntry.objects.get(tenant=tenant, verb="clear balance")
    words = [str(c) for c in readable_changes(entry)]
    assert "Recoverable: Yes → No" in words
    assert "Cleared: EUR 40.00, USD 500.00" in words

    page = admin_client.get(u(tenant, "activity:activity_list")).content.decode()
    assert "Yes → No" in page and "EUR 40.00, USD 500.00" in page
    assert "{&#x27;" not in page and "{'" not in page  # no Python dict on the page
    csv = b"".join(admin_client.get(u(tenant, "activity:activity_list"), {"export": "csv"}).streaming_content)
    cells = csv.decode("utf-8-sig")  # PostgreSQL's jsonb keeps keys in its own order: check each
    assert "Recoverable: Yes → No" in cells and "Cleared: EUR 40.00, USD 500.00" in cells


def test_model_fields_are_named_by_their_label(tenant):
    plan = PlanFactory(tenant=tenant)
    entry = record(tenant=tenant, actor=None, action="update", target=plan, changes={"period_end": ["a", "b"]})
    assert [c.label for c in readable_changes(entry)] == ["Period end"]


def test_a_reset_entry_leads_to_the_acceptances_it_hid(admin_client, tenant, admin_member):
    plan = PlanFactory(tenant=tenant, name="FY26 Plan")
    bulk_beneficiaries(plan, bulk_reps(tenant, 6), enroll_every=2)  # 3 enrolled
    reset_enrollments(plan, actor=admin_member.user)
    entry = ActivityEntry.objects.get(tenant=tenant, verb="reset enrollments")

    listing = admin_client.get(u(tenant, "activity:activity_list")).content.decode()
    detail_url = u(tenant, "activity:entry_detail", entry_id=entry.pk)
    assert f'href="{detail_url}"' in listing
    detail = admin_client.get(detail_url).content.decode()
    assert "<dt>Enrolled</dt><dd>3 → 0</dd>" in detail
    history = u(tenant, "enrollments:enrollment_history", plan_id=plan.pk)
    batch = entry.changes["reset_batch"]
    assert f'href="{history}?batch={batch}"' in detail
    assert f'href="{u(tenant, "plans:plan_detail", plan_id=plan.pk)}"' in detail

    reset_page = admin_client.get(f"{history}?batch={batch}")
    assert reset_page.context["table"].paginator.count == 3
    assert "hidden by reset" in reset_page.content.decode()


def test_the_sweep_entry_lists_the_enrollments_it_expired(admin_client, tenant):
    due = CourseEnrollmentFactory(
        tenant=tenant, sales_order__end_date=dt.date(2026, 1, 1), learner__user__email="x@a.test"
    )
    CourseEnrollmentFactory(tenant=tenant, sales_order__end_date=dt.date(2027, 1, 1))  # not due
    course_services.expire_due_enrollments(tenant=tenant, now=NOW)
    entry = ActivityEntry.objects.get(tenant=tenant, verb="expired (sweep)")
    assert entry.object_ids == [due.pk]
    detail = admin_client.get(u(tenant, "activity:entry_detail", entry_id=entry.pk)).content.decode()
    assert "1 object touched" in detail and f"{due.learner.user} in {due.course.name} (X)" in detail


def test_recalculate_records_the_value_before(tenant):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program)
    before = enrollment.progress_percent
    recalculate_enrollment(enrollment)
    entry = ActivityEntry.objects.filter(tenant=tenant, verb="recalculated progress").order_by("-id").first()
    assert before is not None
    assert entry.changes["progress_percent"] == [f"{before}%", f"{enrollment.progress_percent}%"]


def test_actor_picker_tells_namesakes_apart_by_email(admin_client, tenant, outsider):
    a = member(tenant, "Sales Rep", user__full_name="Sam Lee", user__email="sam.lee@acme.test")
    b = member(tenant, "Sales Rep", user__full_name="Sam Lee", user__email="sam.lee2@acme.test")
    member(tenant, "Sales Rep", user__full_name="Ann Other", user__email="ann@acme.test")
    record(tenant=tenant, actor=a.user, action="update", target="Plan", label="by the first Sam")
    record(tenant=tenant, actor=b.user, action="update", target="Plan", label="by the second Sam")
    page = admin_client.get(u(tenant, "activity:activity_list")).content.decode()
    suggestions = u(tenant, "activity:actor_suggestions")
    # The page carries the box and an empty list; the suggestions come as one types.
    assert 'list="id_actor-options"' in page and f'hx-get="{suggestions}"' in page
    assert "sam.lee@acme.test" not in page

    options = admin_client.get(suggestions, {"actor": "sam"}).content.decode()
    assert '<option value="sam.lee@acme.test">Sam Lee</option>' in options
    assert '<option value="sam.lee2@acme.test">Sam Lee</option>' in options
    assert "ann@acme.test" not in options
    assert outsider.user.email not in admin_client.get(suggestions, {"actor": "@"}).content.decode()

    response = admin_client.get(u(tenant, "activity:activity_list"), {"actor": "sam.lee2@acme.test"})
    assert response.context["table"].paginator.count == 1
    assert "by the second Sam" in response.content.decode()
    response = admin_client.get(u(tenant, "activity:activity_list"), {"actor": "nobody@acme.test"})
    assert "Select a valid choice" in response.content.decode()


def test_entry_page_costs_a_fixed_number_of_queries(admin_client, tenant, django_assert_max_num_queries):
    enrollments = [CourseEnrollmentFactory(tenant=tenant, sales_order__end_date=dt.date(2026, 1, 1)) for _ in range(5)]
    course_services.expire_due_enrollments(tenant=tenant, now=NOW)
    entry = ActivityEntry.objects.get(tenant=tenant, verb="expired (sweep)")
    assert len(entry.object_ids) == len(enrollments)
    with django_assert_max_num_queries(5):  # session, membership with its user, entry, touched objects (+1 spare)
        admin_client.get(u(tenant, "activity:entry_detail", entry_id=entry.pk))


def test_a_key_that_names_a_reverse_relation_reads_as_words(tenant):
    """ "rewards" on a Plan entry is a reverse relation, which has no verbose name (the activity
    page of the demo answered 500)."""
    plan = PlanFactory(tenant=tenant)
    entry = record(tenant=tenant, actor=None, action="delete", target=plan, changes={"rewards": [3, 0]})
    assert [str(c) for c in readable_changes(entry)] == ["Rewards: 3 → 0"]


def test_the_changes_list_reads_the_same_on_the_list_and_the_entry_and_escapes_values(admin_client, tenant):
    plan = PlanFactory(tenant=tenant, name="FY26 Plan")
    edited = record(
        tenant=tenant,
        actor=None,
        action="update",
        target=plan,
        changes={"name": ["<b>Old</b>", "New & <i>bold</i>"], "note": "<script>x()</script>"},
    )
    bare = record(tenant=tenant, actor=None, action="update", target=plan, changes={})
    expected = (
        '<dl class="changes"><dt>Name</dt><dd>&lt;b&gt;Old&lt;/b&gt; → New &amp; &lt;i&gt;bold&lt;/i&gt;</dd>'
        "<dt>Note</dt><dd>&lt;script&gt;x()&lt;/script&gt;</dd></dl>"
    )
    listing = admin_client.get(u(tenant, "activity:activity_list")).content.decode()
    assert expected in listing and "<script>x()" not in listing
    assert '<span class="muted">—</span>' in listing  # the entry without changes
    detail = admin_client.get(u(tenant, "activity:entry_detail", entry_id=edited.pk)).content.decode()
    assert expected in detail
    empty = admin_client.get(u(tenant, "activity:entry_detail", entry_id=bare.pk)).content.decode()
    assert '<span class="muted">—</span>' in empty.split('id="changes-heading"')[1]
