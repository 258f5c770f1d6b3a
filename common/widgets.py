"""Form widgets shared by the apps."""

from django import forms
from django.utils.html import format_html


class SearchableSelect(forms.TextInput):
    """A choice among hundreds (the actor of the activity log): a text box that suggests the
    choices as one types, through the browser's own datalist, so it works with the keyboard and
    screen readers. The suggestions are fetched as one types (``suggestions_url``, answering
    ``<option>`` elements for the typed text) rather than rendered with every page: 500 options
    were most of the activity page's weight and server time. The value typed is the choice's
    value (an email); each suggestion shows its label (the name) beside it."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "placeholder": "Name or email", **(attrs or {})})
        self.suggestions_url = ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-options"
        attrs["list"] = list_id
        if self.suggestions_url:
            attrs.update(
                {
                    "hx-get": self.suggestions_url,
                    "hx-trigger": "focus once, input changed delay:250ms",
                    "hx-target": f"#{list_id}",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                    "hx-push-url": "false",  # a filter form pushes its own URL: not inherited here
                }
            )
        box = super().render(name, value, attrs, renderer)
        return box + format_html('<datalist id="{}"></datalist>', list_id)
