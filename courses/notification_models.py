"""The notification log: every course email the portal sent or suppressed, and why.

Imported by ``courses.models`` so that it belongs to the courses app."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenancy.models import Membership, TenantOwned


class Email(models.TextChoices):
    END_OF_COURSE_SURVEY = "end_of_course_survey", "End of Course Survey"
    FINAL_ASSESSMENT_LOCKED = "final_assessment_locked", "Final Assessment Locked"
    FINAL_ASSESSMENT_UNLOCKED = "final_assessment_unlocked", "Final Assessment Unlocked"
    INACTIVE_STATUS = "inactive_status", "Inactive Status Trigger"
    ITEM_UNLOCKED = "item_unlocked", "Item Unlocked"
    ACCOUNT_UNLOCK = "account_unlock", "Account unlock"


class NotificationStatus(models.TextChoices):
    SENT = "sent", "Sent"
    SUPPRESSED = "suppressed", "Suppressed"


class NotificationLog(TenantOwned):
    """One email to one member: sent, or suppressed with the reason. ``key`` names the event
    (e.g. ``item:42``) so a trigger that fires twice sends once per learner and course."""

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    email = models.CharField(max_length=32, choices=Email.choices)
    course = models.ForeignKey("courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(
        "courses.CourseEnrollment", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    to_address = models.EmailField()
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                "recipient",
                "email",
                "course",
                "key",
                condition=~Q(key=""),
                name="notificationlog_once_per_event",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "created_at"], name="notificationlog_tenant_status")]

    def __str__(self) -> str:
        return f"{self.get_email_display()} to {self.to_address}: {self.status}"
