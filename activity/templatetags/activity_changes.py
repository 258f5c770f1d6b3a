from django import template
from django.utils.html import format_html, format_html_join

from ..changes import change_of, readable_changes

register = template.Library()


@register.filter
def change(entry, key: str):
    """``{{ entry|change:"tier" }}``: one readable change of an entry (``.old``, ``.new``)."""
    return change_of(entry, key)


@register.filter
def changes(entry):
    return readable_changes(entry)


@register.simple_tag
def changes_list(changes):
    """``{% changes_list changes %}``: the changes as a definition list, a dash when none.
    Built in Python: the Activity table shows one per row (a template include per row cost
    a third of a millisecond each)."""
    if not changes:
        return format_html('<span class="muted">{}</span>', "—")
    items = format_html_join(
        "",
        "<dt>{}</dt><dd>{}</dd>",
        ((c.label, format_html("{} → {}", c.old, c.new) if c.is_edit else c.new) for c in changes),
    )
    return format_html('<dl class="changes">{}</dl>', items)
