import django_filters


class TenantFilterSet(django_filters.FilterSet):
    """Base of every filterset: receives the request's tenant so that choice querysets are scoped
    to it (after NetBox's ``restrict_form_fields``)."""

    def __init__(self, *args, tenant=None, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)
