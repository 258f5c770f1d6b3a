"""A select's model choices read by one plain SELECT.

Django's ``ModelChoiceIterator`` reads the choices through ``queryset.iterator()``, which on
PostgreSQL is a server-side cursor: ``DECLARE … WITH HOLD`` (in autocommit the result is
materialized when the statement commits), ``FETCH`` and ``CLOSE``, three round trips for the few
dozen rows a select shows whole. The client dashboard's filter form had three such selects, the
partner Enrollments page two, All Users one. A select's choices are all rendered anyway, so the
memory the cursor would save is not there to save.

A field may list its choices by another statement giving the same rows (``TenantChoices``,
``TenantFilterSet.choose_from``): its ``listed_rows``.

``install()`` makes Django's and django-filter's model choice fields read them by iterating a
fresh copy of the field's queryset: one statement, and nothing cached on the field (each render
reads the rows again, as before). Everything else the iterators do (the empty label, django-filter's
null choice, ``choice()``, ``__len__``, ``__bool__``) is theirs."""

from collections.abc import Callable

from django import forms
from django.db.models import QuerySet
from django_filters import fields as filter_fields

from common.built_once import built_once
from common.precompiled import TENANT_MARKER, Precompiled


class TenantChoices:
    """A select's choices among one workspace's rows: ``queryset(tenant)`` checks the value
    chosen, as any model choice field's queryset; ``rows(tenant)`` lists the choices by the same
    statement compiled once (``common.precompiled``): on a list page's filter form, building and
    compiling a choice list's statement cost three times running it."""

    def __init__(self, build: Callable[[int], QuerySet]):
        """``build(tenant_id)``: the workspace's choices, in the order they are listed."""
        self._build = built_once()(build)  # a copy each time: building it cost more than copying
        self._statement = Precompiled(build, scoped_by="tenant_id", tenant_id=TENANT_MARKER)

    def queryset(self, tenant) -> QuerySet:
        return self._build(tenant.pk)

    def rows(self, tenant) -> list:
        return self._statement(tenant_id=tenant.pk)


class ChoicesInOneStatement(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        listed = getattr(self.field, "listed_rows", None)  # set from a TenantChoices
        # Else a copy: the field's queryset stays unevaluated.
        for obj in listed() if listed is not None else self.queryset.all():
            yield self.choice(obj)


class FilterChoicesInOneStatement(filter_fields.ModelChoiceIterator, ChoicesInOneStatement):
    """django-filter's iterator (its null choice after the empty one) over the one statement."""


def install() -> None:
    forms.ModelChoiceField.iterator = ChoicesInOneStatement  # and so ModelMultipleChoiceField
    filter_fields.ModelChoiceField.iterator = FilterChoicesInOneStatement
    filter_fields.ModelMultipleChoiceField.iterator = FilterChoicesInOneStatement
