"""Writes on tenants, roles and memberships. One function per action; each atomic and logged."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django_scopes import scope

from activity.models import Action
from activity.services import record
from common.services import model_update

from .capabilities import BUILTIN_ROLES, Capability
from .models import Membership, Role, Tenant, User


@transaction.atomic
def tenant_create(*, slug: str, name: str, time_zone: str = "UTC", default_currency: str = "USD") -> Tenant:
    """A new workspace with the built-in roles."""
    tenant = Tenant(slug=slug, name=name, time_zone=time_zone, default_currency=default_currency)
    tenant.full_clean()
    tenant.save()
    ensure_builtin_roles(tenant=tenant)
    return tenant


def ensure_builtin_roles(*, tenant: Tenant) -> dict[str, Role]:
    """Create the built-in roles that are missing (idempotent)."""
    roles = {}
    with scope(tenant=tenant):
        for name, caps in BUILTIN_ROLES.items():
            role, _ = Role.objects.get_or_create(
                tenant=tenant, name=name, defaults={"capabilities": [str(c) for c in caps], "is_builtin": True}
            )
            roles[name] = role
    return roles


@transaction.atomic
def role_create(*, tenant: Tenant, actor, name: str, capabilities: list[str]) -> Role:
    role = Role(tenant=tenant, name=name, capabilities=sorted(capabilities))
    role.full_clean()
    role.save()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target=role,
        changes={"capabilities": [None, role.capabilities]},
    )
    return role


@transaction.atomic
def role_update(*, role: Role, actor, data: dict) -> Role:
    if "capabilities" in data:
        data = {**data, "capabilities": sorted(data["capabilities"])}
    role, updated, changes = model_update(instance=role, fields=["name", "capabilities"], data=data)
    if updated:
        _ensure_an_administrator_remains(role.tenant, field="capabilities")
        record(tenant=role.tenant, actor=actor, action=Action.UPDATE, target=role, changes=changes)
    return role


def _ensure_an_administrator_remains(tenant: Tenant, *, field: str) -> None:
    """Called after a change, inside its transaction: refuse (and so roll back) a change that
    leaves the workspace with no active member who can administer it. The administrators' rows
    are locked first, so two administrators demoting each other at once cannot both succeed."""
    admin_roles = [r.pk for r in Role.objects.filter(tenant=tenant) if r.has(Capability.ADMINISTER)]
    admins = Membership.objects.select_for_update().filter(tenant=tenant, role__in=admin_roles, is_active=True)
    if not list(admins.values_list("pk", flat=True)):
        raise ValidationError(
            {field: "This would leave the workspace without an administrator: it is the last active administrator."}
        )


@transaction.atomic
def member_add(
    *,
    tenant: Tenant,
    actor,
    email: str,
    full_name: str,
    role: Role,
    password: str | None = None,
    manager: Membership | None = None,
    title: str = "",
) -> Membership:
    """Add a person to the workspace, creating their user account when it does not exist yet."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    membership = Membership(tenant=tenant, user=user, role=role, manager=manager, title=title)
    membership.full_clean()
    membership.save()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target=membership,
        label=user.email,
        changes={"role": [None, role.name]},
    )
    return membership


@transaction.atomic
def member_update(*, membership: Membership, actor, data: dict) -> Membership:
    membership, updated, changes = model_update(
        instance=membership, fields=["role", "is_active", "manager", "title"], data=data
    )
    if updated and ("role" in changes or "is_active" in changes):
        _ensure_an_administrator_remains(membership.tenant, field="is_active" if "is_active" in changes else "role")
    if updated:
        record(
            tenant=membership.tenant,
            actor=actor,
            action=Action.UPDATE,
            target=membership,
            label=membership.user.email,
            changes=changes,
        )
    return membership


NOTICE_FIELDS = ["course_expiry_notice_days", "partner_expiry_notice_days"]


@transaction.atomic
def notice_settings_update(*, tenant: Tenant, actor, data: dict) -> Tenant:
    """Settings > Notices: how many days before access ends the notices go out (0: off)."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    tenant, updated, changes = model_update(instance=tenant, fields=NOTICE_FIELDS, data=data)
    if updated:
        record(
            tenant=tenant,
            actor=actor,
            action=Action.UPDATE,
            target=tenant,
            verb="changed notice settings",
            changes=changes,
        )
    return tenant
