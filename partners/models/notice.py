"""Notices before a partner enrollment expires: one row per (enrollment, expiration date,
recipient), sent or suppressed with the reason. The row is the durable record: a moved
expiration date makes the notice due again; a repeated run finds it done."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned, tenant_key

from .enrollment import PartnerEnrollment


class NoticeStatus(models.TextChoices):
    SENT = "sent", "Sent"
    SUPPRESSED = "suppressed", "Suppressed"


class PartnerExpiryNotice(TenantOwned):
    tenant = tenant_key(indexed=True)
    enrollment = models.ForeignKey(PartnerEnrollment, on_delete=models.CASCADE, related_name="expiry_notices")
    expiration_date = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to_address = models.EmailField()
    # Why this person is told: primary partner user, partner admin, partner manager.
    role = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=NoticeStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "to_address"]
        constraints = [
            models.UniqueConstraint(
                "tenant", "enrollment", "expiration_date", "user", name="partnerexpirynotice_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.expiration_date} → {self.to_address}: {self.status}"
