"""Each cell of the fast path (common/table_cells.py) is what django-tables2's ``get_cell``
gives: choices shown by their label, values across relations, a relation that is None, methods
and properties, render methods of every signature, column classes, links, defaults, errors in an
accessor, and records that are not model instances."""

import datetime as dt
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.contrib.auth import get_user_model

from common.table_cells import cell_renderers
from plans.models import Plan, Reward


class Rewards(tables.Table):
    amount = tables.Column()
    plan_status = tables.Column(accessor="plan__status")  # choices across a relation
    plan_name = tables.Column(accessor="plan__name", default="—")
    owner = tables.Column(accessor="user__email")
    reason = tables.Column(default="(none)")
    created = tables.DateColumn(accessor="created_at", format="Y-m-d")
    shown = tables.Column(accessor="__str__", orderable=False)
    broken = tables.Column(accessor="plan__no_such_thing", default="n/a")
    deleter = tables.Column(accessor="delete", default="refused")  # alters_data: never called
    linked = tables.Column(accessor="plan__name", linkify=lambda record: f"/plans/{record.plan_id}/")
    tagged = tables.Column(accessor="currency")
    note = tables.Column(empty_values=())
    kw = tables.Column(accessor="amount")
    odd = tables.Column(accessor="amount")

    def render_tagged(self, value, record, bound_column):
        return f"{value}:{record.pk}:{bound_column.name}"

    def render_note(self, record):
        return f"<b>{record.reason}</b>"

    def render_kw(self, **kwargs):
        return sorted(kwargs)

    def render_odd(self, value, something_else):  # an argument django-tables2 never gives: None
        return "never"


class Money(tables.Column):
    def render(self, value, record):
        return f"{value} {record.currency}"


class Plans(tables.Table):
    status = tables.Column()
    name = tables.Column()
    rate = tables.Column(accessor="commission_rate")
    money = Money(accessor="commission_rate")


def _rewards():
    user = get_user_model()(email="rep@acme.test", pk=7)
    plan = Plan(pk=3, name="Q1 <Accelerator>", status="active", currency="USD")
    when = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with_plan = Reward(pk=1, plan=plan, user=user, amount=Decimal("12.50"), currency="USD", reason="", created_at=when)
    without = Reward(pk=2, plan=None, user=user, amount=Decimal(0), currency="EUR", reason="Bonus", created_at=when)
    return [with_plan, without]


def _same_as_stock(table):
    renderers = cell_renderers(table)
    rows = list(table.rows)
    assert rows
    for row in rows:
        for column, render in zip(table.columns, renderers, strict=True):
            assert render(row) == row.get_cell(column.name), column.name
    return rows, {column.name: render for column, render in zip(table.columns, renderers, strict=True)}


def test_model_records_render_as_django_tables2_renders_them():
    (first, second), renderers = _same_as_stock(Rewards(_rewards()))
    assert renderers["plan_status"](first) == "Active"
    assert renderers["plan_name"](second) == "—"
    assert renderers["broken"](first) == "n/a"
    assert renderers["deleter"](first) == "refused"
    assert renderers["odd"](first) is None
    assert renderers["kw"](first) == ["bound_column", "bound_row", "column", "record", "table", "value"]


def test_column_classes_and_choices_on_the_record_itself():
    plans = [Plan(pk=1, name="A", status="draft", commission_rate=Decimal("0.05"), currency="USD"), Plan(pk=2, name="")]
    _same_as_stock(Plans(plans))


@pytest.mark.parametrize(
    "records",
    [[{"status": "active", "name": "Dict", "rate": 1, "money": 2}], [Plan(pk=1, name="A"), {"name": "mixed"}]],
)
def test_records_that_are_not_model_instances_go_to_django_tables2(records):
    _same_as_stock(Plans(records))
