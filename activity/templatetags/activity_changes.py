from django import template

from ..changes import change_of, readable_changes

register = template.Library()


@register.filter
def change(entry, key: str):
    """``{{ entry|change:"tier" }}``: one readable change of an entry (``.old``, ``.new``)."""
    return change_of(entry, key)


@register.filter
def changes(entry):
    return readable_changes(entry)
