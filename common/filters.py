import django_filters
from django.urls import reverse


class TenantFilterSet(django_filters.FilterSet):
    """Base of every filterset: receives the request's tenant so that choice querysets are scoped
    to it (after NetBox's ``restrict_form_fields``)."""

    def __init__(self, *args, tenant=None, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)

    def suggest(self, name: str, url_name: str) -> None:
        """Point the ``SearchableSelect`` of filter ``name`` at its suggestions view in this
        workspace. Call it last in ``__init__``: it builds the form, once, from the filters."""
        self.form.fields[name].widget.suggestions_url = reverse(url_name, kwargs={"tenant_slug": self.tenant.slug})
