"""``reverse`` for the links of table rows: the same address, without resolving it per row.

A list page links every row (its detail page, an Edit or Remove button): 25 to 50 calls of
Django's ``reverse`` a page, each matching the pattern's converters and quoting the result again
though only the row's id changes. Here a view name and its keyword names are reversed once with
placeholders, giving a template of the address; a row's address is the template with its values.

Used only where that is exactly Django's answer: keyword arguments that are ints or slug-like
strings (which every built-in converter leaves as they are, and nothing quotes), and a template
checked against Django's ``reverse`` for the first values it serves. Anything else (positional
arguments, another URLconf or script prefix, a query string, other values) is Django's
``reverse``."""

import re

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import get_language

_PLAIN = re.compile(r"[-a-zA-Z0-9_]+")
_templates: dict[tuple, str | None] = {}  # None: this view's addresses are not a plain template


def _plain(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and _PLAIN.fullmatch(value) is not None)


def _template(viewname: str, shape: tuple[tuple[str, bool], ...]) -> str | None:
    """The address with ``{0}``, ``{1}``… for the keyword values; None if it cannot be one. A
    string keyword's placeholder has letters, so a converter that takes only digits refuses it."""
    markers = [f"7310{i}9731" if is_int else f"x7310{i}9731x" for i, (_, is_int) in enumerate(shape)]
    try:
        address = django_reverse(viewname, kwargs={name: m for (name, _), m in zip(shape, markers, strict=True)})
    except NoReverseMatch:
        return None
    if "{" in address or "}" in address or any(address.count(m) != 1 for m in markers):
        return None
    for i, marker in enumerate(markers):
        address = address.replace(marker, f"{{{i}}}")
    return address


def reverse(viewname, urlconf=None, args=None, kwargs=None, current_app=None, **extra) -> str:
    if urlconf or args or current_app or extra or not kwargs or not isinstance(viewname, str):
        return django_reverse(viewname, urlconf, args, kwargs, current_app, **extra)
    values = list(kwargs.values())
    if not all(_plain(v) for v in values):
        return django_reverse(viewname, kwargs=kwargs)
    shape = tuple((name, isinstance(value, int)) for name, value in kwargs.items())
    key = (viewname, shape, get_script_prefix(), get_urlconf(), get_language())
    if key not in _templates:
        address = django_reverse(viewname, kwargs=kwargs)  # raises as Django does for a bad name
        template = _template(viewname, shape)
        _templates[key] = template if template is not None and template.format(*values) == address else None
        return address
    template = _templates[key]
    if template is None:
        return django_reverse(viewname, kwargs=kwargs)
    return template.format(*values)
