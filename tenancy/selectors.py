from django.db.models import Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from common.model_choices import TenantChoices

from .models import Membership, Role, Tenant, User

# The role filters' choices (All Users, Users & Roles).
ROLE_CHOICES = TenantChoices(lambda tenant_id: Role.objects.filter(tenant_id=tenant_id))


def member_users(*, tenant: Tenant, active_only: bool = False) -> QuerySet[User]:
    """Users who are members of ``tenant`` (for choice fields: always scoped to the tenant)."""
    memberships = Membership.objects.filter(tenant=tenant)
    if active_only:
        memberships = memberships.filter(is_active=True)
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("email")


def member_user_suggestions(*, tenant: Tenant, text: str, limit: int = 20) -> QuerySet[User]:
    """The first ``limit`` members whose name or email contains ``text`` (a picker's suggestions)."""
    users = member_users(tenant=tenant)
    text = text.strip()
    if text:
        users = users.filter(Q(email__icontains=text) | Q(full_name__icontains=text))
    return users.order_by("full_name", "email")[:limit]


def membership_list(*, tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(tenant=tenant).select_related("user", "role", "manager__user").order_by("user__email")
    )


def role_list(*, tenant: Tenant) -> QuerySet[Role]:
    return Role.objects.filter(tenant=tenant).order_by("name")


def access_membership(*, tenant: Tenant, membership_id, for_update: bool = False) -> Membership:
    """The membership with this id in this tenant, or 404 (same answer for missing and foreign)."""
    qs = Membership.objects.filter(tenant=tenant).select_related("user", "role")
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(membership_id))
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such member.") from None


def access_role(*, tenant: Tenant, role_id, for_update: bool = False) -> Role:
    qs = Role.objects.filter(tenant=tenant)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(role_id))
    except (Role.DoesNotExist, ValueError, TypeError):
        raise Http404("No such role.") from None


def membership_for(*, tenant: Tenant, user: User) -> Membership | None:
    return Membership.objects.filter(tenant=tenant, user=user).select_related("role").first()


def workspaces_for_user(*, user: User) -> list[Membership]:
    """Active memberships of a user across tenants (used outside any workspace)."""
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("tenant", "role")
            .order_by("tenant__name")
        )
