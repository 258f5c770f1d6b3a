"""Django's form renderer, with the select and input widgets' templates rendered in Python.

The stock ``select.html`` includes ``select_option.html`` once per option, and that includes
``attrs.html``: two template includes per option, about 60 µs each, so a filter form's selects
(statuses, courses, managers, tiers) were several milliseconds of every list page. Every input
widget (text, search, number, date, checkbox, hidden, …) is a template that includes
``input.html``, which includes ``attrs.html``: three templates for one tag. This renders those
templates as they would, byte for byte (tests compare with the stock renderer), while they are
Django's own (an installed app may override a widget template: then that one goes to the
templates), and hands every other template, and any select whose option template is not the
stock one, to the stock renderer."""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"
INPUT = WIDGETS + "input.html"
ATTRS = WIDGETS + "attrs.html"
# Each of these is ``{% include "django/forms/widgets/input.html" %}`` and a newline.
INCLUDING_INPUT = {
    WIDGETS + f"{kind}.html"
    for kind in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden",
        "number", "password", "search", "tel", "text", "time", "url",
    )
}  # fmt: skip
DJANGO_TEMPLATES = Path(django.forms.__file__).parent / "templates"

# ``{{ value }}`` outside any request: autoescaped and localized as the widget templates are.
_CONTEXT = Context(autoescape=True)


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value's str, escaped."""
    return conditional_escape(str(value))


def attrs_html(attrs) -> str:
    """``attrs.html``: `` name="value"`` per attribute, `` name`` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option) -> str:
    label = render_value_in_context(option["label"], _CONTEXT)
    # The stock option template ends with a newline, kept in the page.
    return f'<option value="{_text(option["value"])}"{attrs_html(option["attrs"])}>{label}</option>\n'


def select_html(widget) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value_in_context(group_name, _CONTEXT)}">')
        parts.extend(f"\n  {_option(option)}" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


def input_html(widget) -> str:
    """``input.html``: the value attribute unless the value is None, then the attributes."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    kind, name = (render_value_in_context(widget[key], _CONTEXT) for key in ("type", "name"))
    return f'<input type="{kind}" name="{name}"{shown}{attrs_html(widget["attrs"])}>'


def _stock_options(widget) -> bool:
    return all(option["template_name"] == OPTION for _, group, _ in widget["optgroups"] for option in group)


class FormRenderer(DjangoTemplates):
    def __init__(self):
        super().__init__()
        self._django_own: dict[str, bool] = {}

    def _is_djangos(self, *template_names: str) -> bool:
        """Whether the loaders find these templates in Django itself (not an app's override)."""
        for name in template_names:
            own = self._django_own.get(name)
            if own is None:
                origin = Path(self.get_template(name).origin.name)
                own = self._django_own[name] = origin.is_relative_to(DJANGO_TEMPLATES)
            if not own:
                return False
        return True

    def render(self, template_name, context, request=None):
        # A widget's output is stripped (BaseRenderer.render): the templates' final newlines go.
        is_input = template_name == INPUT or template_name in INCLUDING_INPUT
        if is_input and self._is_djangos(template_name, INPUT, ATTRS):
            return input_html(context["widget"])
        if template_name == SELECT and self._is_djangos(SELECT, OPTION, ATTRS) and _stock_options(context["widget"]):
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)
