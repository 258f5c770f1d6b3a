from functools import partial

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django_filters.constants import EMPTY_VALUES

from common.model_choices import TenantChoices


class TenantFilterSet(django_filters.FilterSet):
    """Base of every filterset: receives the request's tenant so that choice querysets are scoped
    to it (after NetBox's ``restrict_form_fields``)."""

    def __init__(self, *args, tenant=None, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)

    def has_filters(self) -> bool:
        """Whether a filter narrows the rows: a value django-filter applies (not an empty one);
        after ``is_valid()``. A filter set whose methods take other values for none says so."""
        return any(value not in EMPTY_VALUES for value in self.form.cleaned_data.values())

    def choose_from(self, **choices: TenantChoices) -> None:
        """Each named filter's choices: this workspace's rows of its ``TenantChoices``, checked by
        its queryset and listed by its compiled statement. Before ``suggest``: it builds the form,
        once, from the filters."""
        if hasattr(self, "_form"):
            raise ImproperlyConfigured("choose_from() comes before the filter form is built.")
        for name, choice in choices.items():
            self.filters[name].queryset = choice.queryset(self.tenant)
        for name, choice in choices.items():
            self.form.fields[name].listed_rows = partial(choice.rows, self.tenant)

    def suggest(self, name: str, url_name: str) -> None:
        """Point the ``SearchableSelect`` of filter ``name`` at its suggestions view in this
        workspace. Call it last in ``__init__``: it builds the form, once, from the filters."""
        self.form.fields[name].widget.suggestions_url = reverse(url_name, kwargs={"tenant_slug": self.tenant.slug})
