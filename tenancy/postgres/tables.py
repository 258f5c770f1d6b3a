"""Which tables are tenant tables, read from the models (the live registry or a migration's state),
so a new model is covered without anyone listing it."""

from django.db import models

TENANT_COLUMN = "tenant_id"


def is_tenant_model(model: type[models.Model]) -> bool:
    """A concrete table of its own with a ``tenant_id`` column: every TenantOwned subclass, and any
    other table that carries a tenant."""
    opts = model._meta
    if opts.abstract or opts.proxy or not opts.managed:
        return False
    return any(f.column == TENANT_COLUMN for f in opts.local_concrete_fields)


def tenant_models(apps) -> list[type[models.Model]]:
    return sorted(
        (m for m in apps.get_models(include_auto_created=True) if is_tenant_model(m)),
        key=lambda m: m._meta.db_table,
    )


def is_workspace_keyed(model: type[models.Model]) -> bool:
    """A table of one row per tenant, its primary key the tenant's (``WorkspaceDataVersion``):
    shared (no row-level security), but distributed by that key with the tenant tables."""
    pk = model._meta.pk
    return pk is not None and pk.is_relation and pk.related_model._meta.db_table == "tenancy_tenant"


def workspace_keyed_models(apps) -> list[type[models.Model]]:
    return sorted(
        (m for m in apps.get_models(include_auto_created=True) if m._meta.managed and is_workspace_keyed(m)),
        key=lambda m: m._meta.db_table,
    )


def reference_models(apps) -> list[type[models.Model]]:
    """Shared tables: users, tenants and Django's own."""
    return sorted(
        (
            m
            for m in apps.get_models(include_auto_created=True)
            if not m._meta.proxy and m._meta.managed and not is_tenant_model(m) and not is_workspace_keyed(m)
        ),
        key=lambda m: m._meta.db_table,
    )


def tenant_foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    """The foreign keys of a tenant table to another tenant table (by its id): these become
    composite, ``(tenant_id, x_id) -> (tenant_id, id)``."""
    return [
        f
        for f in model._meta.local_concrete_fields
        if f.many_to_one or f.one_to_one
        if f.db_constraint and is_tenant_model(f.related_model) and f.target_field.primary_key
    ]
