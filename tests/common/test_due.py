"""The due-work pattern: mark due in the transaction, queue on commit, sweep what is due."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import F
from django.utils import timezone
from django_scopes import scope

from common import due
from tests.dueapp.models import Widget

calls: list[list[int]] = []


def _handler(tenant, pks):
    calls.append(sorted(pks))
    Widget.objects.filter(pk__in=pks).update(runs=F("runs") + 1)


WORK = due.register(due.DueWork(name="test-widgets", model=Widget, handler=_handler))


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()


@pytest.fixture
def widget(tenant):
    return Widget.objects.create(tenant=tenant, name="w")


def _mark(widget, delay=300):
    with scope(tenant=widget.tenant):
        return due.mark_due(WORK, Widget.objects.filter(pk=widget.pk), delay_seconds=delay)


@pytest.mark.django_db
def test_three_changes_in_the_window_give_one_run(widget, django_capture_on_commit_callbacks):
    with mock.patch("common.tasks.run_due_work_task.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            _mark(widget)
            first_due = Widget.objects.get(pk=widget.pk).due_at
            _mark(widget)
            _mark(widget)
    widget.refresh_from_db()
    assert widget.due_at == first_due, "a later change must not push the due time back"
    assert widget.due_version == 3
    assert apply_async.call_count == 3
    assert apply_async.call_args.kwargs["countdown"] == 300
    # Nothing runs before the due time; at the due time, exactly one run.
    assert due.run_due(WORK, widget.tenant) == 0
    later = timezone.now() + timedelta(seconds=301)
    assert due.run_due(WORK, widget.tenant, now=later) == 1
    assert due.run_due(WORK, widget.tenant, now=later) == 0  # the other two queued tasks find nothing
    widget.refresh_from_db()
    assert widget.runs == 1 and widget.due_at is None


@pytest.mark.django_db
def test_an_earlier_due_time_wins(widget):
    _mark(widget, delay=600)
    _mark(widget, delay=60)
    widget.refresh_from_db()
    assert widget.due_at <= timezone.now() + timedelta(seconds=61)


@pytest.mark.django_db
def test_lost_message_is_picked_up_by_the_sweep(widget):
    _mark(widget)  # the on-commit task is never queued in this test: as if the broker lost it
    totals = due.sweep(now=timezone.now() + timedelta(minutes=6))
    assert totals["test-widgets"] == 1
    widget.refresh_from_db()
    assert widget.runs == 1 and widget.due_at is None


@pytest.mark.django_db
def test_change_during_a_run_leaves_the_row_due(widget):
    _mark(widget, delay=0)

    def handler_with_concurrent_change(tenant, pks):
        _handler(tenant, pks)
        _mark(widget, delay=300)  # someone edits while we compute

    racing = due.DueWork(name="racing", model=Widget, handler=handler_with_concurrent_change)
    assert due.run_due(racing, widget.tenant) == 0
    widget.refresh_from_db()
    assert widget.due_at is not None, "the change must not be lost"
    assert due.run_due(WORK, widget.tenant, now=timezone.now() + timedelta(seconds=1)) == 1


@pytest.mark.django_db
def test_sweep_runs_each_tenant_in_its_own_scope(tenant, other_tenant):
    a = Widget.objects.create(tenant=tenant, name="a")
    b = Widget.objects.create(tenant=other_tenant, name="b")
    _mark(a, delay=0)
    _mark(b, delay=0)
    due.sweep(now=timezone.now() + timedelta(seconds=1))
    assert sorted(calls) == [[a.pk], [b.pk]]
