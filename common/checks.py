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


def _indexes_leading_with_tenant(model, *, partial: bool) -> list[str]:
    from django.db import models

    tenant = ("tenant", "tenant_id")
    names = [
        i.name
        for i in model._meta.indexes
        if i.fields and i.fields[0].lstrip("-") in tenant and (partial or i.condition is None)
    ]
    names += [
        c.name
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint)
        and c.fields
        and c.fields[0] in tenant
        and (partial or c.condition is None)
    ]
    names += [f"unique_together {fields}" for fields in model._meta.unique_together if fields[0] in tenant]
    return names


@checks.register(checks.Tags.models)
def one_index_leads_with_tenant(app_configs=None, models=None, **kwargs):
    """Each tenant-owned table has an index leading with the tenant, and only composite ones when
    it has any: a tenant-only index beside them is dead weight on every write, and the planner's
    wrong choice before statistics exist (see tenancy.models.tenant_key)."""
    from tenancy.models import TenantOwned

    errors = []
    for model in models if models is not None else apps.get_models():
        if not issubclass(model, TenantOwned):
            continue
        # A tenant-alone index is redundant beside a full index leading with the tenant; a table
        # whose only such index is partial (PlanEnrollment's current rows: every index slows Reset
        # Enrollments) chose that, and a tenant's rare deletion scans it.
        composite = _indexes_leading_with_tenant(model, partial=False)
        alone = model._meta.get_field("tenant").db_index
        if composite and alone:
            errors.append(
                checks.Error(
                    f"{model.__name__} indexes the tenant alone beside {composite[0]}, which leads with it.",
                    hint="Declare tenant = tenant_key(indexed=False) (the TenantOwned default).",
                    obj=model,
                    id="portal.E003",
                )
            )
        elif not alone and not _indexes_leading_with_tenant(model, partial=True):
            errors.append(
                checks.Error(
                    f"{model.__name__} has no index leading with the tenant.",
                    hint="Add a composite index that starts with tenant, or declare tenant = tenant_key(indexed=True).",
                    obj=model,
                    id="portal.E004",
                )
            )
    return errors
