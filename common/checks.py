"""System checks that keep the tenancy rules from eroding as apps are added."""

from django.apps import apps
from django.core import checks


@checks.register()
def tenant_first_in_constraints(app_configs=None, **kwargs):
    """Every unique constraint and composite index of a tenant-owned model starts with ``tenant``,
    so the data can be sharded by tenant later."""
    from tenancy.models import TenantOwned

    errors = []
    for model in apps.get_models():
        if not issubclass(model, TenantOwned):
            continue
        for c in model._meta.constraints:
            fields = list(getattr(c, "fields", ()) or ())
            if fields and fields[0] not in ("tenant", "tenant_id"):
                errors.append(
                    checks.Error(
                        f"{model.__name__}.{c.name} must start with tenant.",
                        obj=model,
                        id="portal.E001",
                    )
                )
        for index in model._meta.indexes:
            if len(index.fields) > 1 and index.fields[0].lstrip("-") not in ("tenant", "tenant_id"):
                errors.append(
                    checks.Error(
                        f"{model.__name__} index {index.name} must start with tenant.",
                        obj=model,
                        id="portal.E002",
                    )
                )
    return errors
