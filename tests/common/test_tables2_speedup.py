from django_tables2 import utils

from common.tables2_speedup import cached_signature


class _Table:
    def render_name(self, value, record):
        return value

    def value_other(self, **kwargs):
        return kwargs


def test_installed_and_same_answers_as_inspect():
    assert utils.signature is cached_signature
    table = _Table()
    assert cached_signature(table.render_name) == (("value", "record"), None)
    assert cached_signature(_Table().render_name) == (("value", "record"), None)  # cached per function
    assert cached_signature(table.value_other) == ((), "kwargs")
    assert cached_signature(lambda record: record) == (("record",), None)


def test_call_with_appropriate_still_filters_arguments():
    table = _Table()
    assert utils.call_with_appropriate(table.render_name, {"value": 1, "record": 2, "column": 3}) == 1
    assert utils.call_with_appropriate(table.render_name, {"value": 1}) is None


def test_template_columns_compile_their_code_once_and_render_each_cell():
    import datetime as dt

    import django_tables2 as tables
    from django.template import Template
    from django_tables2.columns import templatecolumn

    from common.tables2_speedup import compiled_template

    class DatesTable(tables.Table):
        when = tables.DateColumn(format="m/d/Y")
        note = tables.TemplateColumn(template_code="<b>{{ value }}</b>")

    assert templatecolumn.Template is compiled_template
    compiled_template.cache_clear()
    rows = [{"when": dt.date(2026, 1, d), "note": f"n{d}"} for d in range(1, 6)]
    table = DatesTable(rows)
    cells = [(row.get_cell("when"), row.get_cell("note")) for row in table.rows]
    assert cells == [(f"01/0{d}/2026", f"<b>n{d}</b>") for d in range(1, 6)]
    info = compiled_template.cache_info()
    assert (info.misses, info.hits) == (2, 8)  # one compile per column, not per cell
    assert isinstance(compiled_template("{{ value }}"), Template)


def test_boolean_columns_draw_what_django_tables2_draws(db, tenant):
    """Both spans worked out once per column; a field with choices keeps the stock rendering."""
    import django_tables2 as tables
    from django_tables2.columns import BooleanColumn

    from activity.models import Action, ActivityEntry
    from common.tables2_speedup import _original_boolean_render, boolean_render
    from tenancy.models import Membership
    from tests.factories import member

    assert BooleanColumn.render is boolean_render

    class Flags(tables.Table):
        is_active = tables.BooleanColumn()
        custom = tables.BooleanColumn(accessor="is_active", yesno="Yes <b>,No & co", attrs={"span": {"title": "x"}})
        action = tables.BooleanColumn()

    active, inactive = member(tenant), member(tenant)
    Membership.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    entry = ActivityEntry(tenant=tenant, action=Action.choices[0][0])
    records = [active, inactive, {"is_active": 1}, {}]
    table = Flags(records)
    for name in ("is_active", "custom"):
        column = table.columns[name]
        for record in records:
            value = record.get("is_active") if isinstance(record, dict) else record.is_active
            for _ in range(2):  # drawn, then from what was worked out
                ours = boolean_render(column.column, value, record, column)
                assert ours == _original_boolean_render(column.column, value, record, column)
    assert "<span" in str(boolean_render(table.columns["custom"].column, True, records[0], table.columns["custom"]))
    # ``action`` has choices: the label is mapped back to its value, as django-tables2 does.
    column = table.columns["action"]
    label = entry.get_action_display()
    assert boolean_render(column.column, label, entry, column) == _original_boolean_render(
        column.column, label, entry, column
    )


def test_date_columns_draw_what_their_template_draws():
    """A date column of django-tables2's own template calls the template's two filters directly:
    the same text for dates, aware and naive date-times (in the active zone), empty values and
    defaults (escaped or not as the context says), in the formats given or the default ones; a
    column with a template or context of its own is drawn by its template."""
    import datetime as dt
    import zoneinfo

    import django_tables2 as tables
    from django.template import Context
    from django.utils import timezone
    from django.utils.safestring import SafeString, mark_safe
    from django_tables2.columns import DateColumn, DateTimeColumn, TemplateColumn

    from common.tables2_speedup import date_render

    assert DateColumn.render is date_render and DateTimeColumn.render is date_render

    class Custom(tables.DateColumn):
        def get_context_data(self, **kwargs):
            return {**super().get_context_data(**kwargs), "value": dt.date(1999, 1, 1)}

    class Dates(tables.Table):
        day = tables.DateColumn(format="m/d/Y")
        day_default = tables.DateColumn(accessor="day", short=False, default="<none>")
        at = tables.DateTimeColumn(format="m/d/Y h:i A")
        at_short = tables.DateTimeColumn(accessor="at", default=mark_safe("<i>—</i>"))
        at_extra = tables.DateTimeColumn(accessor="at", extra_context={"default": "x"})
        at_custom = Custom(accessor="at")

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    values = [
        {"day": dt.date(2026, 3, 9), "at": dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)},
        {"day": dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "at": dt.datetime(2026, 7, 1, 12, 0)},  # noqa: DTZ001 - a naive one on purpose
        {"day": None, "at": None},
        {"day": "", "at": "not a date"},
    ]
    compared = 0
    for zone in (dt.UTC, paris, zoneinfo.ZoneInfo("Pacific/Kiritimati")):
        with timezone.override(zone):
            for autoescape in (True, False):
                table = Dates(values)
                table.context = Context({}, autoescape=autoescape)
                for row in table.rows:
                    for name in table.columns.names():
                        bound = table.columns[name]
                        value = row.record[bound.accessor]
                        kwargs = {"record": row.record, "table": table, "value": value, "bound_column": bound}
                        ours = date_render(bound.column, bound_row=row, **kwargs)
                        theirs = TemplateColumn.render(bound.column, bound_row=row, **kwargs)
                        assert (ours, type(ours)) == (theirs, SafeString), (zone, autoescape, name, value)
                        compared += 1
    assert compared == 3 * 2 * 4 * 6
    with timezone.override(paris):
        table = Dates(values[:1])
        table.context = Context({})
        row = next(iter(table.rows))
        assert row.get_cell("at") == "03/29/2026 01:30 AM"  # in the active zone
        assert row.get_cell("at_custom").startswith("01/01/1999")  # its own context: its template
