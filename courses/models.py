"""Courses, learners' progress, user groups, sales orders (from NetSuite), course enrollments and
the notification log (every course email sent or suppressed).

Who may open what is decided in ``courses.access`` (the one place for the expiry rule); this
module holds the data and its invariants.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenancy.models import Membership, TenantOwned, tenant_key


class Course(TenantOwned):
    tenant = tenant_key(indexed=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("tenant", "name", name="course_unique_name_per_tenant")]

    def __str__(self) -> str:
        return self.name


class CourseVersion(TenantOwned):
    """A published version of a course. Exactly one version of a course is current (new
    enrollments go there); an enrollment stays in the version it was made in."""

    tenant = tenant_key(indexed=True)

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    is_current = models.BooleanField(default=False)
    # A new version starts as a draft (a copy of the current one) whose modules and items can be
    # edited; publishing makes it current. Published versions are never edited: learners'
    # progress points at their modules.
    is_draft = models.BooleanField(default=False)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course", "-number"]
        constraints = [
            models.UniqueConstraint("tenant", "course", "number", name="courseversion_unique_number"),
            models.UniqueConstraint("tenant", "course", condition=Q(is_current=True), name="courseversion_one_current"),
            models.UniqueConstraint("tenant", "course", condition=Q(is_draft=True), name="courseversion_one_draft"),
            models.CheckConstraint(
                condition=Q(is_draft=False) | Q(is_current=False), name="courseversion_draft_not_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.name} v{self.number}"


class Module(TenantOwned):
    """A step of a course version, in ``position`` order. Its items are what the learner pages
    (Learn, Practice, Apply) show."""

    tenant = tenant_key(indexed=True)

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint("tenant", "version", "position", name="module_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ItemKind(models.TextChoices):
    LEARN = "learn", "Learn"
    PRACTICE = "practice", "Practice"
    APPLY = "apply", "Apply"
    ASSESSMENT = "assessment", "Final assessment"


class ModuleItem(TenantOwned):
    """One piece of a module: a lesson (Learn), an exercise (Practice), an on-the-job task
    (Apply) or the final assessment."""

    tenant = tenant_key(indexed=True)

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=ItemKind.choices, default=ItemKind.LEARN)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # Drip content: the item opens on this date (tenant time zone) and learners get "Item Unlocked".
    unlocks_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["module", "position"]
        constraints = [models.UniqueConstraint("tenant", "module", "position", name="moduleitem_unique_position")]

    def __str__(self) -> str:
        return self.title


class ModuleProgress(TenantOwned):
    """A learner's progress in one module. Never deleted by unenrolling or expiring: re-enrolling
    in the same version finds it again."""

    tenant = tenant_key(indexed=True)

    learner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="module_progress")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("tenant", "learner", "module", name="moduleprogress_unique")]
        verbose_name_plural = "module progress"

    def __str__(self) -> str:
        return f"{self.learner_id} / {self.module_id}"


class UserGroup(TenantOwned):
    """A named set of learners (for filtering and bulk edits)."""

    tenant = tenant_key(indexed=True)

    name = models.CharField(max_length=120)
    members = models.ManyToManyField(Membership, through="UserGroupMember", related_name="user_groups")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("tenant", "name", name="usergroup_unique_name")]

    def __str__(self) -> str:
        return self.name


class UserGroupMember(TenantOwned):
    group = models.ForeignKey(UserGroup, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="group_memberships")

    class Meta:
        constraints = [models.UniqueConstraint("tenant", "group", "learner", name="usergroupmember_unique")]
        indexes = [models.Index(fields=["tenant", "learner"], name="usergroupmember_learner")]


class AuthMethod(models.TextChoices):
    TBA = "tba", "Token-based authentication (OAuth 1.0)"
    OAUTH2 = "oauth2", "OAuth 2.0 client credentials"


class NetSuiteConnection(TenantOwned):
    """How this tenant reaches its NetSuite account, and where the incremental sync stands.

    The secrets are write-only in the portal: forms never render them back."""

    tenant = tenant_key(indexed=True)

    account_id = models.CharField(max_length=40, help_text="NetSuite account id, e.g. 1234567 or 1234567_SB1.")
    auth_method = models.CharField(max_length=8, choices=AuthMethod.choices, default=AuthMethod.TBA)
    base_url = models.URLField(blank=True, help_text="Leave blank for https://<account>.suitetalk.api.netsuite.com.")
    consumer_key = models.CharField(max_length=128, blank=True)
    consumer_secret = models.CharField(max_length=128, blank=True)
    token_id = models.CharField(max_length=128, blank=True)
    token_secret = models.CharField(max_length=128, blank=True)
    client_id = models.CharField(max_length=128, blank=True)
    client_secret = models.CharField(max_length=128, blank=True)
    is_enabled = models.BooleanField(default=True)
    # Highest lastModifiedDate applied so far; the next sync asks from a little before it.
    synced_through = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("tenant", name="netsuiteconnection_one_per_tenant")]

    def __str__(self) -> str:
        return f"NetSuite {self.account_id}"

    @property
    def api_root(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        host = self.account_id.lower().replace("_", "-")
        return f"https://{host}.suitetalk.api.netsuite.com"


class SalesOrderSource(models.TextChoices):
    NETSUITE = "netsuite", "NetSuite"
    CSV = "csv", "CSV import"
    MANUAL = "manual", "Entered by hand"


class SalesOrder(TenantOwned):
    """A client's sales order. Enrollments that follow it expire on its end date."""

    netsuite_id = models.CharField("NetSuite internal id", max_length=32, blank=True)
    tran_id = models.CharField("Sales order #", max_length=64)
    customer = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField()
    status = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=SalesOrderSource.choices, default=SalesOrderSource.MANUAL)
    last_modified = models.DateTimeField(null=True, blank=True, help_text="NetSuite lastModifiedDate.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-end_date", "tran_id"]
        constraints = [
            models.UniqueConstraint("tenant", "tran_id", name="salesorder_unique_tran_id"),
            models.UniqueConstraint(
                "tenant", "netsuite_id", condition=~Q(netsuite_id=""), name="salesorder_unique_netsuite_id"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="salesorder_end_after_start",
                violation_error_message="The end date is before the start date.",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "end_date"], name="salesorder_tenant_end")]

    def __str__(self) -> str:
        return f"{self.tran_id} ({self.customer})" if self.customer else self.tran_id


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "E", "Enrolled"
    UNENROLLED = "U", "Unenrolled"
    EXPIRED = "X", "Expired"


class CourseEnrollment(TenantOwned):
    """A learner's place in a course: one row per learner and course, in one version of it.

    Effective expiry = ``manual_expiration_date`` if set, else the sales order's end date (see
    ``courses.access``). ``expired_by_hand`` marks an X an admin set: moving the sales order's
    end date never un-expires those."""

    learner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="course_enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=1, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED)
    sales_order = models.ForeignKey(
        SalesOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    manual_expiration_date = models.DateField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    expired_at = models.DateTimeField(null=True, blank=True)
    expired_by_hand = models.BooleanField(default=False)

    class Meta:
        ordering = ["learner__user__email"]
        constraints = [
            models.UniqueConstraint("tenant", "learner", "course", name="courseenrollment_one_per_course"),
            models.CheckConstraint(
                condition=Q(status="X") | Q(expired_by_hand=False), name="courseenrollment_hand_only_when_x"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "course", "status"], name="courseenr_tenant_course"),
            # The sweep: E rows by manual date, and E rows by sales order.
            models.Index(fields=["tenant", "status", "manual_expiration_date"], name="courseenr_sweep_manual"),
            models.Index(fields=["tenant", "sales_order", "status"], name="courseenr_tenant_so"),
        ]

    def __str__(self) -> str:
        return f"{self.learner.user} in {self.course} ({self.status})"


# --- The notification log: every course email the portal sent or suppressed, and why ----------


class Email(models.TextChoices):
    END_OF_COURSE_SURVEY = "end_of_course_survey", "End of Course Survey"
    FINAL_ASSESSMENT_LOCKED = "final_assessment_locked", "Final Assessment Locked"
    FINAL_ASSESSMENT_UNLOCKED = "final_assessment_unlocked", "Final Assessment Unlocked"
    INACTIVE_STATUS = "inactive_status", "Inactive Status Trigger"
    ITEM_UNLOCKED = "item_unlocked", "Item Unlocked"
    ACCOUNT_UNLOCK = "account_unlock", "Account unlock"
    ACCESS_ENDING = "access_ending", "Access ending soon"
    ACCESS_ENDING_DIGEST = "access_ending_digest", "Access ending: client admin digest"


class NotificationStatus(models.TextChoices):
    SENT = "sent", "Sent"
    SUPPRESSED = "suppressed", "Suppressed"


class NotificationLog(TenantOwned):
    """One email to one member: sent, or suppressed with the reason. ``key`` names the event
    (e.g. ``item:42``) so a trigger that fires twice sends once per learner and course."""

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    email = models.CharField(max_length=32, choices=Email.choices)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(
        CourseEnrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120, blank=True)
    # Access ending soon: the last day of access it was about (once per enrollment and date);
    # the client admin digest: the day it covers.
    about_date = models.DateField(null=True, blank=True)
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
            models.UniqueConstraint(
                "tenant",
                "enrollment",
                "email",
                "about_date",
                condition=Q(enrollment__isnull=False, about_date__isnull=False),
                name="notificationlog_once_per_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "created_at"], name="notificationlog_tenant_status"),
            models.Index(fields=["tenant", "email", "created_at"], name="notificationlog_tenant_email"),
        ]

    def __str__(self) -> str:
        return f"{self.get_email_display()} to {self.to_address}: {self.status}"


class NoticeSchedule(TenantOwned):
    """When the tenant's notices before access ends are next due (common.due): a change of an
    expiry (a sales order's end date, a manual date, an Edit, an enrollment) marks it due within
    a minute, so a date moved into the window is told soon; beat's hourly run covers the days
    passing. One row per tenant."""

    tenant = tenant_key(indexed=True)

    due_at = models.DateTimeField(null=True, blank=True)
    due_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint("tenant", name="noticeschedule_one_per_tenant")]
        indexes = [
            models.Index(fields=["due_at"], name="noticeschedule_due", condition=Q(due_at__isnull=False)),
        ]
