"""Reads of Learning > User groups."""

from django.db.models import Count, Prefetch, QuerySet

from common.model_choices import TenantChoices
from tenancy.models import Tenant

from ..models import (
    UserGroup,
)
from .courses import scoped_get

# The group filters' choices (client dashboard, a course's enrollments), by name.
GROUP_CHOICES = TenantChoices(lambda tenant_id: UserGroup.objects.filter(tenant_id=tenant_id).order_by("name"))


def access_user_group(*, tenant: Tenant, user_group_id, for_update: bool = False) -> UserGroup:
    return scoped_get(UserGroup.objects.filter(tenant=tenant), user_group_id, "user group", for_update)


def user_group_list(*, tenant: Tenant) -> QuerySet[UserGroup]:
    return UserGroup.objects.filter(tenant=tenant).annotate(member_count=Count("memberships")).order_by("name")


def user_group_choices(*, tenant: Tenant) -> QuerySet[UserGroup]:
    return UserGroup.objects.filter(tenant=tenant).order_by("name")


def group_members_prefetch(*, tenant: Tenant) -> Prefetch:
    return Prefetch("user_groups", queryset=UserGroup.objects.filter(tenant=tenant).order_by("name"))
