"""Writes of Learning > User groups."""

from collections.abc import Iterable

from django.db import transaction

from activity.models import Action
from activity.services import record
from common.services import model_update
from tenancy.models import Membership, Tenant

from ..models import (
    UserGroup,
    UserGroupMember,
)


@transaction.atomic
def user_group_create(*, tenant: Tenant, actor, name: str, learner_ids: Iterable[int] = ()) -> UserGroup:
    group = UserGroup(tenant=tenant, name=name.strip())
    group.full_clean()
    group.save()
    ids = set(Membership.objects.filter(tenant=tenant, pk__in=list(learner_ids)).values_list("pk", flat=True))
    UserGroupMember.objects.bulk_create(UserGroupMember(tenant=tenant, group=group, learner_id=i) for i in sorted(ids))
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=group, count=len(ids), object_ids=sorted(ids))
    return group


@transaction.atomic
def user_group_update(group: UserGroup, *, actor, name: str, learner_ids: Iterable[int]) -> UserGroup:
    """Rename a group and set its members (set-based: one delete, one insert)."""
    group, renamed, changes = model_update(instance=group, fields=["name"], data={"name": name.strip()})
    wanted = set(
        Membership.objects.filter(tenant_id=group.tenant_id, pk__in=list(learner_ids)).values_list("pk", flat=True)
    )
    current = set(
        UserGroupMember.objects.filter(tenant_id=group.tenant_id, group=group).values_list("learner_id", flat=True)
    )
    added, removed = sorted(wanted - current), sorted(current - wanted)
    UserGroupMember.objects.filter(tenant_id=group.tenant_id, group=group, learner_id__in=removed).delete()
    UserGroupMember.objects.bulk_create(
        UserGroupMember(tenant_id=group.tenant_id, group=group, learner_id=i) for i in added
    )
    if added:
        changes["added"] = [None, len(added)]
    if removed:
        changes["removed"] = [len(removed), None]
    if changes:
        record(
            tenant=group.tenant,
            actor=actor,
            action=Action.UPDATE,
            target=group,
            changes=changes,
            count=len(added) + len(removed) or None,
            object_ids=added + removed,
        )
    return group
