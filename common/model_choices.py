"""A select's model choices read by one plain SELECT.

Django's ``ModelChoiceIterator`` reads the choices through ``queryset.iterator()``, which on
PostgreSQL is a server-side cursor: ``DECLARE … WITH HOLD`` (in autocommit the result is
materialized when the statement commits), ``FETCH`` and ``CLOSE``, three round trips for the few
dozen rows a select shows whole. The client dashboard's filter form had three such selects, the
partner Enrollments page two, All Users one. A select's choices are all rendered anyway, so the
memory the cursor would save is not there to save.

``install()`` makes Django's and django-filter's model choice fields read them by iterating a
fresh copy of the field's queryset: one statement, and nothing cached on the field (each render
reads the rows again, as before). Everything else the iterators do (the empty label, django-filter's
null choice, ``choice()``, ``__len__``, ``__bool__``) is theirs."""

from django import forms
from django_filters import fields as filter_fields


class ChoicesInOneStatement(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # a copy: the field's queryset stays unevaluated
            yield self.choice(obj)


class FilterChoicesInOneStatement(filter_fields.ModelChoiceIterator, ChoicesInOneStatement):
    """django-filter's iterator (its null choice after the empty one) over the one statement."""


def install() -> None:
    forms.ModelChoiceField.iterator = ChoicesInOneStatement  # and so ModelMultipleChoiceField
    filter_fields.ModelChoiceField.iterator = FilterChoicesInOneStatement
    filter_fields.ModelMultipleChoiceField.iterator = FilterChoicesInOneStatement
