from django import template

from ..changes import change_of, changes_html, readable_changes

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
    """``{% changes_list changes %}``: the changes as a definition list, a dash when none."""
    return changes_html(changes)
