"""What the partner forms share: a ModelForm bound to the tenant that hands its cleaned values
to a service (the service saves and validates the model), and the date widget."""

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenantForm(forms.ModelForm):
    unique_name_field: str | None = None
    unique_scope: tuple[str, ...] = ()

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}

    def _post_clean(self):
        # Model validation runs in the service (full_clean); field-level model validators
        # still run through the model fields' formfields.
        pass
