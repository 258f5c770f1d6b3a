"""Partner data the criteria measure, and the currency rates revenue is converted with.

Visibility (what a partner user can see): records of their own partner account that they own;
all of the account's records when they are a partner admin. Course assignments are "owned" by
the partner user they are assigned to. Progress counts what the enrollment's primary partner user
can see (``partners.selectors.visible_*`` and the engine apply the same rule)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned, tenant_key, validate_currency

from ..choices import LeadStatus, OpportunityStage


def _today():
    return timezone.localdate()


class PartnerAccount(TenantOwned):
    tenant = tenant_key(indexed=True)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=80, blank=True)
    website = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("tenant", "name", name="partneraccount_unique_name")]

    def __str__(self) -> str:
        return self.name


class PartnerUser(TenantOwned):
    """A member of the tenant who works for a partner account."""

    account = models.ForeignKey(PartnerAccount, on_delete=models.CASCADE, related_name="partner_users")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_profiles")
    is_partner_admin = models.BooleanField(
        default=False, help_text="Sees all of the account's records, not only the ones they own."
    )

    class Meta:
        ordering = ["account_id", "user__email"]
        constraints = [models.UniqueConstraint("tenant", "user", name="partneruser_unique_user")]
        indexes = [models.Index(fields=["tenant", "account"], name="partneruser_account")]

    def __str__(self) -> str:
        return f"{self.user} ({self.account})"

    def clean(self) -> None:
        from tenancy.models import Membership

        if self.user_id and self.tenant_id:
            if not Membership.objects.filter(tenant_id=self.tenant_id, user_id=self.user_id).exists():
                raise ValidationError({"user": "This person is not a member of the workspace."})


class Opportunity(TenantOwned):
    account = models.ForeignKey(PartnerAccount, on_delete=models.CASCADE, related_name="opportunities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    expected_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    stage = models.CharField(max_length=20, choices=OpportunityStage.choices, default=OpportunityStage.PROSPECTING)
    close_date = models.DateField()
    created_date = models.DateField(default=_today)

    class Meta:
        ordering = ["-close_date", "-id"]
        verbose_name_plural = "opportunities"
        # The id closes each index so that "newest first" (date, then id, descending) is read
        # straight from it: the drill-down's page of 25 never sorts the account's every deal.
        indexes = [
            models.Index(fields=["tenant", "account", "close_date", "id"], name="opp_account_close"),
            models.Index(fields=["tenant", "account", "created_date", "id"], name="opp_account_created"),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(TenantOwned):
    """A deal registration submitted by a partner."""

    account = models.ForeignKey(PartnerAccount, on_delete=models.CASCADE, related_name="leads")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=LeadStatus.choices, default=LeadStatus.SUBMITTED)
    approval_date = models.DateField(null=True, blank=True)
    created_date = models.DateField(default=_today)

    class Meta:
        ordering = ["-created_date", "-id"]
        indexes = [
            models.Index(fields=["tenant", "account", "created_date", "id"], name="lead_account_created"),
            models.Index(fields=["tenant", "account", "approval_date"], name="lead_account_approval"),
        ]

    def __str__(self) -> str:
        return self.company

    def clean(self) -> None:
        if self.status == LeadStatus.APPROVED and not self.approval_date:
            raise ValidationError({"approval_date": "An approved registration needs its approval date."})


class CourseAssignment(TenantOwned):
    """A course assigned to a partner user; completed when it has a completion date."""

    partner_user = models.ForeignKey(PartnerUser, on_delete=models.CASCADE, related_name="course_assignments")
    course_name = models.CharField(max_length=200)
    assigned_date = models.DateField(default=_today)
    completed_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_date", "-id"]
        indexes = [
            models.Index(fields=["tenant", "partner_user", "completed_date"], name="course_user_completed"),
        ]

    def __str__(self) -> str:
        return self.course_name


class CurrencyRate(TenantOwned):
    """1 ``from_currency`` = ``rate`` ``to_currency`` from ``date`` until the next rate of the pair."""

    tenant = tenant_key(indexed=True)

    date = models.DateField()
    from_currency = models.CharField(max_length=3, validators=[validate_currency])
    to_currency = models.CharField(max_length=3, validators=[validate_currency])
    rate = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["-date", "from_currency", "to_currency"]
        constraints = [
            models.UniqueConstraint("tenant", "from_currency", "to_currency", "date", name="currencyrate_unique"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="currencyrate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} ({self.date})"

    def clean(self) -> None:
        if self.from_currency and self.from_currency == self.to_currency:
            raise ValidationError({"to_currency": "Choose a currency different from the source currency."})
