"""A Clear of a user's balance, kept so it can be undone. The rewards themselves are the plans
app's ``Reward`` rows; each reward a Clear made non-recoverable carries that Clear's id
(``Reward.clear_id``), so Undo clear brings back exactly those."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned


class BalanceClear(TenantOwned):
    """One press of Clear under a user's Balance: who, when, how many rewards and how much per
    currency; and, once undone, who undid it, when, how many came back and how many had been
    deleted since (with their plan or calculation)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cleared_at = models.DateTimeField(default=timezone.now)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict)  # {"USD": "750.00"}: what the Clear took off the balance
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restored = models.PositiveIntegerField(default=0)
    deleted_since = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-cleared_at", "-id"]
        indexes = [models.Index(fields=["tenant", "user", "cleared_at"], name="balanceclear_tenant_user")]

    def __str__(self) -> str:
        return f"Clear #{self.pk} of {self.user_id}"
