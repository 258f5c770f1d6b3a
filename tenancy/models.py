import zoneinfo

import pycountry
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from .capabilities import IMPLIED_BY, REQUIRES, Capability


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone.")


# ISO 4217 lists codes that are not money anyone is paid in: precious metals, bond-market units,
# the testing code and "no currency".
NOT_MONEY = frozenset({"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"})


def validate_currency(value: str) -> None:
    """An active ISO 4217 currency code (the maintained list of pycountry), in capitals."""
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValidationError("Use a three-letter ISO 4217 code in capitals, e.g. USD.")
    if value in NOT_MONEY or pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(f"“{value}” is not an ISO 4217 currency. Use a code such as USD, EUR or GBP.")


class Tenant(models.Model):
    """A customer organization, shown to people as its workspace."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    created_at = models.DateTimeField(default=timezone.now)
    # Notices before access ends: days ahead of a course enrollment's last day of access, and of a
    # partner enrollment's expiration date; 0 turns that notice off.
    course_expiry_notice_days = models.PositiveSmallIntegerField(
        "Course access notice (days before)",
        default=14,
        validators=[MaxValueValidator(365)],
        help_text="Learners and client admins are told this many days before a learner's last day of access. 0: off.",
    )
    partner_expiry_notice_days = models.PositiveSmallIntegerField(
        "Partner enrollment notice (days before)",
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Partner users and partner managers are told this many days before an enrollment expires. 0: off.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def data_version(self) -> int:
        """How many committed transactions have written the workspace's data (0: none since it
        was created); read with the workspace by the middleware (``select_related("data")``)."""
        try:
            return self.data.version
        except WorkspaceDataVersion.DoesNotExist:
            return 0


class WorkspaceDataVersion(models.Model):
    """A workspace's data version (tenancy.data_version): what was rendered from its data is kept
    under the number it was read at (common.regions).

    A row of its own, not a column of the workspace's: a sweep locks the workspace's row for its
    whole run, and a commit bumping the number there would wait behind it. Keyed by
    ``workspace_id``, not ``tenant_id``: a shared table, outside the row-level security policies,
    since a write to a shared table (a user's name) bumps every workspace's number."""

    workspace = models.OneToOneField(Tenant, on_delete=models.CASCADE, primary_key=True, related_name="data")
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "tenancy_dataversion"

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.version}"


def tenant_key(*, indexed: bool) -> models.ForeignKey:
    """The tenant column of a domain table.

    A table whose composite indexes lead with the tenant gets no index of the tenant alone: before
    statistics exist (a tenant's first bulk import) the planner may pick it and visit every row of
    the tenant per lookup. A table with no such index keeps one (``indexed=True``), for tenant
    filters and for deleting a tenant. The system check portal.E003 holds each table to one rule.
    """
    return models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=indexed)


class TenantOwned(models.Model):
    """Base of every domain table: a non-null tenant, and a manager that refuses unscoped queries.

    Inside ``django_scopes.scope(tenant=...)`` (entered by the middleware and every task),
    ``Model.objects`` is filtered to that tenant; outside any scope it raises ``ScopeError``.
    Composite indexes and unique constraints of subclasses start with ``tenant``.
    """

    tenant = tenant_key(indexed=False)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Global (one login across workspaces); what they may do is per Membership."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        # On PostgreSQL, email and full_name also have trigram indexes for "contains" searches
        # (migration 0005, tenancy/postgres/search.py): not declared here, as SQLite cannot build them.

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(TenantOwned):
    """A tenant-defined set of capability flags."""

    tenant = tenant_key(indexed=True)

    name = models.CharField(max_length=100)
    capabilities = models.JSONField(default=list, blank=True)
    is_builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("tenant", "name", name="role_unique_name_per_tenant")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.capabilities or []) - set(Capability.values)
        if unknown:
            raise ValidationError({"capabilities": f"Unknown capabilities: {', '.join(sorted(unknown))}."})
        for capability, needs in REQUIRES.items():
            if capability in (self.capabilities or []) and not self.has(needs):
                message = (
                    f"“{Capability(capability).label}” needs “{Capability(needs).label}”: its button is on that page."
                )
                raise ValidationError({"capabilities": message})

    def has(self, capability: str) -> bool:
        caps = self.capabilities or []
        if Capability.ADMINISTER in caps or capability in caps:
            return True
        return any(other in caps for other in IMPLIED_BY.get(capability, ()))


class Membership(TenantOwned):
    """A user's place in one workspace: their role, whether they are active, and their manager."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    is_active = models.BooleanField(default=True)
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="team_members")
    title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__email"]
        constraints = [models.UniqueConstraint("tenant", "user", name="membership_unique_user_per_tenant")]
        indexes = [models.Index(fields=["tenant", "role"], name="membership_tenant_role")]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant_id}"

    def has(self, capability: str) -> bool:
        return self.is_active and self.role.has(capability)

    @property
    def is_administrator(self) -> bool:
        return self.has(Capability.ADMINISTER)
