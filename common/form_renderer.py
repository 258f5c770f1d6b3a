"""Django's form renderer, with the select widget's template rendered in Python.

The stock ``select.html`` includes ``select_option.html`` once per option, and that includes
``attrs.html``: two template includes per option, about 60 µs each, so a filter form's selects
(statuses, courses, managers, tiers) were several milliseconds of every list page. This renders
those three templates as they would, byte for byte (tests compare with the stock renderer), and
hands every other template, and any select whose option template is not the stock one, to the
stock renderer."""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"

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


def _stock_options(widget) -> bool:
    return all(option["template_name"] == OPTION for _, group, _ in widget["optgroups"] for option in group)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and _stock_options(context["widget"]):
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)
