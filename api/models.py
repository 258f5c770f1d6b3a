"""API keys: one per script or report, bound to one user in one workspace, stored only as a hash."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned


class ApiKey(TenantOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    # The first characters of the key, shown in lists so a person can tell keys apart.
    prefix = models.CharField(max_length=16)
    # SHA-256 of the whole key. Keys are 256-bit random, so a fast hash is enough (as for
    # GitHub tokens); a slow password hash would cost every API request. Indexed on its own too:
    # a request is matched to its key before the tenant is compared (a foreign key answers 404).
    key_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint("tenant", "key_hash", name="apikey_unique_hash_per_tenant")]
        indexes = [models.Index(fields=["tenant", "user"], name="apikey_tenant_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
