"""The project's form renderer (common/form_renderer.py) renders a select exactly as Django's
stock templates do: options and groups, selected and disabled, multiple, escaping of names,
values, labels and attributes, boolean attributes, lazy and numeric labels."""

from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from common.form_renderer import FormRenderer

STOCK = DjangoTemplates()
OURS = FormRenderer()

CHOICES = [
    ("", "Any"),
    ("open", "Open & <pending>"),
    (3, 3),
    (Decimal("2.50"), gettext_lazy("Active")),
    ('a"b', mark_safe("<b>bold</b>")),  # noqa: S308 - a label given safe stays as given
    ("Group <1>", [("x", "Ex"), ("y", "Why")]),
]


class Filters(forms.Form):
    status = forms.ChoiceField(choices=CHOICES, required=False)
    tags = forms.MultipleChoiceField(choices=CHOICES, required=False)
    flagged = forms.NullBooleanField(required=False)
    tier = forms.ChoiceField(
        choices=[("1", "One"), ("2", "Two")],
        widget=forms.Select(attrs={"class": "input <x>", "disabled": True, "hidden": False, "data-n": 5}),
    )


BOUND = [
    {},
    {"status": "open", "tags": ["x", "3"], "flagged": "true", "tier": "2"},
    {"status": 'a"b', "tags": ["2.50"], "flagged": "false", "tier": "<nope>"},
]


@pytest.mark.parametrize("data", BOUND)
@pytest.mark.parametrize("field", ["status", "tags", "flagged", "tier"])
def test_selects_render_as_the_stock_templates_do(field, data):
    ours, stock = (str(Filters(data or None, renderer=r)[field]) for r in (OURS, STOCK))
    assert ours == stock
    assert "<option" in ours


def test_other_widgets_and_custom_option_templates_go_to_the_stock_templates(monkeypatch):
    class Radio(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        name = forms.CharField()

    class OwnOption(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    calls = []
    original = DjangoTemplates.render

    def counted(self, template_name, context, request=None):
        calls.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", counted)
    form = Radio({"kind": "a", "name": "<x>"}, renderer=OURS)
    assert str(form["kind"]) and str(form["name"])
    select = forms.ChoiceField(choices=[("a", "A")], widget=OwnOption)
    select.widget.render("k", "a", renderer=OURS)
    assert calls == [
        "django/forms/widgets/radio.html",
        "django/forms/widgets/text.html",
        "django/forms/widgets/select.html",
    ]


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "common.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
