"""The project's form renderer (common/form_renderer.py) renders a select exactly as Django's
stock templates do: options and groups, selected and disabled, multiple, escaping of names,
values, labels and attributes, boolean attributes, lazy and numeric labels; and every input
widget (text, search, number, date, checkbox, hidden, …) likewise, unless an app overrides its
template."""

from decimal import Decimal
from pathlib import Path

import django.forms
import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.functional import cached_property
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
        "django/forms/widgets/select.html",
    ]


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "common.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


class Inputs(forms.Form):
    text = forms.CharField(required=False, max_length=20)
    number = forms.IntegerField()
    amount = forms.DecimalField(widget=forms.NumberInput(attrs={"step": Decimal("0.01")}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "class": "input <x>"}))
    when = forms.DateTimeField(required=False)
    at = forms.TimeField(required=False)
    flag = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(widget=forms.EmailInput(attrs={"disabled": True, "readonly": False}))
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search…", "data-n": 5}))
    site = forms.URLField(required=False)
    phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}), label=gettext_lazy("Phone"))
    colour = forms.CharField(widget=forms.TextInput(attrs={"type": "color"}))
    plain = forms.CharField(widget=forms.widgets.Input(attrs={"type": "text"}))


INPUTS_BOUND = [
    {},
    {
        "text": "x\"<y>&'z",
        "number": "3",
        "amount": "1.50",
        "day": "2026-01-02",
        "when": "2026-01-02 10:00",
        "at": "10:00",
        "flag": "on",
        "secret": "<h>",
        "email": "a@b.test",
        "password": "p&w",
        "search": "q'q",
        "site": "https://example.test/?a=1&b=2",
        "phone": "+1 555",
        "colour": "#ffffff",
        "plain": "0",
    },
    {"number": "not a number", "day": "31/31/2026", "flag": "", "text": "x" * 30},
]


@pytest.mark.parametrize("data", INPUTS_BOUND)
@pytest.mark.parametrize("field", list(Inputs.base_fields))
def test_inputs_render_as_the_stock_templates_do(field, data, monkeypatch):
    stock = str(Inputs(data or None, renderer=STOCK)[field])
    templates = []
    original = DjangoTemplates.render
    monkeypatch.setattr(DjangoTemplates, "render", lambda *a, **k: templates.append(a[1]) or original(*a, **k))
    assert str(Inputs(data or None, renderer=FormRenderer())[field]) == stock
    assert stock.startswith("<input") and templates == []


def _overriding(tmp_path, name, source):
    """A renderer whose loaders find ``name`` in an app's templates before Django's own."""
    (tmp_path / Path(name)).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / Path(name)).write_text(source)

    class Overridden(FormRenderer):
        @cached_property
        def engine(self):
            own = Path(django.forms.__file__).parent / "templates"
            return self.backend({"APP_DIRS": False, "DIRS": [tmp_path, own], "NAME": "djangoforms", "OPTIONS": {}})

    return Overridden()


def test_an_overridden_widget_template_is_rendered_by_the_templates(tmp_path):
    renderer = _overriding(tmp_path, "django/forms/widgets/text.html", '<input class="mine" name="{{ widget.name }}">')
    form = Inputs({"text": "a", "email": "a@b.test"}, renderer=renderer)
    assert str(form["text"]) == '<input class="mine" name="text">'
    # The other input widgets still include Django's own input.html and attrs.html.
    assert str(form["email"]) == str(Inputs({"email": "a@b.test"}, renderer=STOCK)["email"])


@pytest.mark.parametrize("name", ["django/forms/widgets/attrs.html", "django/forms/widgets/input.html"])
def test_an_overridden_template_they_include_sends_every_input_to_the_templates(tmp_path, name):
    renderer = _overriding(tmp_path, name, "<mine>")
    shown = str(Inputs({"text": "a"}, renderer=renderer)["text"])
    assert "<mine>" in shown
    if name.endswith("attrs.html"):  # the selects include it too
        assert "<mine>" in str(Filters({}, renderer=renderer)["status"])
