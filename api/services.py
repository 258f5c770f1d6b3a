"""Writes on API keys: create and revoke. Each atomic, each in the activity log (never the key)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activity.models import Action
from activity.services import record
from tenancy.models import Tenant, User
from tenancy.selectors import membership_for

from .keys import display_prefix, hash_key, new_key
from .models import ApiKey


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    key: str  # the clear key: show it once, store it nowhere


@transaction.atomic
def create_api_key(*, tenant: Tenant, user: User, name: str, actor) -> CreatedKey:
    """A new key for ``user``, who must be an active administrator of ``tenant``."""
    membership = membership_for(tenant=tenant, user=user)
    if membership is None or not membership.is_active or not membership.is_administrator:
        raise ValidationError(
            f"{user.email} is not an active administrator of {tenant.slug}: API keys are for administrators only."
        )
    key = new_key()
    api_key = ApiKey(tenant=tenant, user=user, name=name.strip(), prefix=display_prefix(key), key_hash=hash_key(key))
    api_key.full_clean()
    api_key.save()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target=api_key,
        changes={"name": [None, api_key.name], "user": [None, user.email], "prefix": [None, api_key.prefix]},
    )
    return CreatedKey(api_key=api_key, key=key)


@transaction.atomic
def revoke_api_key(api_key: ApiKey, *, actor) -> bool:
    """Revoke the key at once. Returns False (and records nothing) when it was already revoked."""
    now = timezone.now()
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
    if not updated:
        return False
    api_key.revoked_at, api_key.revoked_by = now, actor
    record(
        tenant=api_key.tenant,
        actor=actor,
        action=Action.UPDATE,
        verb="revoke",
        target=api_key,
        changes={"revoked_at": [None, now.isoformat()]},
    )
    return True
