"""The workspace the current django-scopes scope names, read the one way the database backend
(its role and tenant setting) and the data versions (whose pages a write changes) both need."""

from django_scopes import get_scope


def scoped_tenant_id() -> str | None:
    """The id (as text) of the one workspace in scope; "" for no scope or several workspaces;
    None inside ``scopes_disabled()`` (maintenance: explicitly across workspaces)."""
    current = get_scope()
    if not current.get("_enabled", True):
        return None
    tenant = current.get("tenant")
    if isinstance(tenant, (list, tuple)):
        tenant = tenant[0] if len(tenant) == 1 else None
    return "" if tenant is None else str(getattr(tenant, "pk", tenant))
