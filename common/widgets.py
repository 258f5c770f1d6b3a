"""Form widgets shared by the apps."""

from django import forms
from django.utils.html import format_html, format_html_join


class SearchableSelect(forms.TextInput):
    """A choice among hundreds (the actor of the activity log): a text box that suggests the
    choices as one types, through the browser's own datalist, so it needs no script and works
    with the keyboard and screen readers. A choice field gives it ``choices``; the value typed is
    the choice's value (an email), each suggestion shows its label (the name) beside it."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "placeholder": "Name or email", **(attrs or {})})
        self.choices = []

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-options"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((str(v), label) for v, label in self.choices if str(v))
        )
        return box + format_html('<datalist id="{}">{}</datalist>', list_id, options)
