"""CSV import of opportunities, leads and course assignments (django-import-export), and the
bulk enrollment check (the rules of Enroll, row by row, with the same preview).

Every lookup is scoped to the tenant: partner accounts by name, owners by the email of a member
of the workspace, partner users by their email. Rows are validated with the model's full_clean
(so a preview lists each row's errors next to it); the import is one transaction that either
applies every row or none, marks the affected enrollments due and writes one activity entry."""

import datetime as dt
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import fields, resources, widgets

from activity.models import Action
from activity.services import record
from common.imports import read_csv
from tenancy.selectors import member_users

from .models import (
    CourseAssignment,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
    Tier,
)
from .services.enrollment import enroll_partners
from .services.recalc import mark_accounts_due


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks the value up among the tenant's rows, read once per import into a dict (a query per
    row made a 100,000-row file take minutes)."""

    def __init__(self, queryset_factory, field):
        super().__init__(queryset_factory().model, field=field)
        self.queryset_factory = queryset_factory
        self._by_value: dict | None = None

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset_factory()

    def get_instance_by_lookup_fields(self, value, row, **kwargs):
        if self._by_value is None:
            path = self.field.split("__")
            self._by_value = {}
            for obj in self.queryset_factory():
                key = obj
                for name in path:
                    key = getattr(key, name)
                self._by_value.setdefault(key, obj)
        try:
            return self._by_value[value]
        except KeyError:
            raise self.model.DoesNotExist from None

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"“{value}” not found in this workspace.") from None


class ChoiceWidget(widgets.CharWidget):
    """Accepts a choice's value or its label ("closed_won" or "Closed Won")."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.lookup = {}
        self.labels = [str(label) for _, label in choices]
        for value, label in choices:
            self.lookup[value.lower()] = value
            self.lookup[str(label).lower()] = value

    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        if not text:
            return ""
        if text.lower() not in self.lookup:
            raise ValueError(f"“{text}” is not one of {', '.join(self.labels)}.")
        return self.lookup[text.lower()]


class MoneyWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").replace(",", "").replace("$", "").strip()
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not a number.") from None


class UpperWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return (value or "").strip().upper()


class IsoDateWidget(widgets.DateWidget):
    def __init__(self, format="%Y-%m-%d", **kwargs):
        # Only the format the page asks for: 01/02/2026 is January or February depending on who wrote it.
        super().__init__(format=format, **kwargs)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD).") from None


class TenantResource(resources.ModelResource):
    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if f.get_internal_type() == "DateField":
            return IsoDateWidget
        return super().widget_from_django_field(f, default)

    def __init__(self, tenant):
        self.tenant = tenant
        self.touched_accounts: set[int] = set()
        self.checking = False  # a preview's check (PartnerDataImporter): rows validated, none saved
        super().__init__()

    def get_queryset(self):
        return self._meta.model.objects.filter(tenant=self.tenant)

    def save_instance(self, instance, is_create, row, **kwargs):
        """A preview (dry run) has checked the row already (fields, full_clean, constraints): it
        saves nothing, where import-export would INSERT and roll back."""
        if self._is_dry_run(kwargs) or self.checking:
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's full_clean, less the check that each foreign key exists: the scoped widgets
        found those rows in this tenant already (the check was a query per key per row)."""
        errors = dict(import_validation_errors or {})
        resolved = {
            f.name for f in instance._meta.concrete_fields if f.is_relation and getattr(instance, f.attname) is not None
        }
        try:
            instance.full_clean(exclude=set(errors) | resolved, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def init_instance(self, row=None):
        return self._meta.model(tenant=self.tenant)

    def _accounts_of(self, instance) -> set[int]:
        return {instance.account_id} if instance.account_id else set()

    def before_save_instance(self, instance, row, **kwargs):
        instance.tenant = self.tenant
        if instance.pk:
            old = self._meta.model.objects.filter(tenant=self.tenant, pk=instance.pk).first()
            if old is not None:
                self.touched_accounts |= self._accounts_of(old)
        self.touched_accounts |= self._accounts_of(instance)

    def accounts(self, name="account"):
        return fields.Field(
            attribute=name,
            column_name=name,
            widget=ScopedForeignKeyWidget(lambda: PartnerAccount.objects.filter(tenant=self.tenant), "name"),
        )


def _owner_widget(resource):
    return ScopedForeignKeyWidget(lambda: member_users(tenant=resource.tenant), "email")


class OpportunityResource(TenantResource):
    stage = fields.Field(attribute="stage", column_name="stage", widget=ChoiceWidget(OpportunityStage.choices))
    amount = fields.Field(attribute="amount", column_name="amount", widget=MoneyWidget())
    expected_revenue = fields.Field(attribute="expected_revenue", column_name="expected_revenue", widget=MoneyWidget())
    currency = fields.Field(attribute="currency", column_name="currency", widget=UpperWidget())

    class Meta:
        model = Opportunity
        fields = ("id", "account", "owner", "name", "amount", "expected_revenue", "currency", "stage")
        fields += ("close_date", "created_date")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, tenant):
        super().__init__(tenant)
        self.fields["account"] = self.accounts()
        self.fields["owner"] = fields.Field(attribute="owner", column_name="owner", widget=_owner_widget(self))


class LeadResource(TenantResource):
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(LeadStatus.choices))

    class Meta:
        model = Lead
        fields = ("id", "account", "owner", "company", "status", "approval_date", "created_date")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, tenant):
        super().__init__(tenant)
        self.fields["account"] = self.accounts()
        self.fields["owner"] = fields.Field(attribute="owner", column_name="owner", widget=_owner_widget(self))


class CourseAssignmentResource(TenantResource):
    class Meta:
        model = CourseAssignment
        fields = ("id", "partner_user", "course_name", "assigned_date", "completed_date")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, tenant):
        super().__init__(tenant)
        self.fields["partner_user"] = fields.Field(
            attribute="partner_user",
            column_name="partner_user",
            widget=ScopedForeignKeyWidget(
                lambda: PartnerUser.objects.filter(tenant=self.tenant).select_related("user"), "user__email"
            ),
        )

    def _accounts_of(self, instance) -> set[int]:
        if not instance.partner_user_id:
            return set()
        return set(
            PartnerUser.objects.filter(tenant=self.tenant, pk=instance.partner_user_id).values_list(
                "account_id", flat=True
            )
        )


RESOURCES = {"opportunities": OpportunityResource, "leads": LeadResource, "courses": CourseAssignmentResource}
COLUMNS = {
    "opportunities": "account,owner,name,amount,expected_revenue,currency,stage,close_date,created_date",
    "leads": "account,owner,company,status,approval_date,created_date",
    "courses": "partner_user,course_name,assigned_date,completed_date",
}


def parse_csv(kind: str, text: str) -> tablib.Dataset:
    """Raises ``ImportFileError`` for a file that cannot be imported as a whole."""
    return read_csv(text, columns=["id", *COLUMNS[kind].split(",")])


def import_records(kind: str, *, tenant, actor, csv_text: str, dry_run: bool):
    """Import (or with ``dry_run`` only validate) a CSV of ``kind``. Returns the import result
    and the parsed dataset; when the result has errors nothing is saved."""
    resource = RESOURCES[kind](tenant)
    dataset = parse_csv(kind, csv_text)
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
        )
        failed = result.has_errors() or result.has_validation_errors()
        changed = [row for row in result.rows if row.import_type in ("new", "update")]
        if not dry_run and not failed and changed:  # a file of unchanged rows changes nothing to log
            _imported(kind, resource, actor, [row.object_id for row in changed], result.totals)
    return result, dataset


def _imported(kind: str, resource, actor, object_ids: list, totals: dict) -> None:
    """After a committed import: the touched accounts' enrollments are due, one activity entry."""
    mark_accounts_due(resource.tenant, resource.touched_accounts)
    record(
        tenant=resource.tenant,
        actor=actor,
        action=Action.CREATE,
        target=resource._meta.model.__name__,
        verb=f"imported {kind}",
        count=len(object_ids),
        object_ids=object_ids,
        changes={t: [None, totals.get(t, 0)] for t in ("new", "update", "skip")},
    )


class PartnerDataImporter:
    """One import of ``kind`` fed chunk by chunk (jobs.imports): a row's status and errors as in
    the preview; ``finish`` runs once after the last chunk of a committed import."""

    def __init__(self, kind: str, tenant, actor):
        self.kind, self.actor = kind, actor
        self.resource = RESOURCES[kind](tenant)
        self.changed: list = []

    def run(self, dataset: tablib.Dataset, *, dry_run: bool, lines=None) -> list[tuple[str, list[str]]]:
        # A preview validates each row (full_clean, constraints included) and saves none
        # (``checking``): no INSERT to roll back, and no transaction, so no savepoint per row
        # either (two round trips a row on PostgreSQL). The import saves in the job's transaction.
        self.resource.checking = dry_run
        result = self.resource.import_data(
            dataset,
            dry_run=False,
            use_transactions=not dry_run,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        if not dry_run:
            self.changed += [row.object_id for row in result.rows if row.import_type in ("new", "update")]
        return [(row["status"], row["errors"]) for row in preview_rows(result, dataset)]

    def finish(self, totals: dict) -> None:
        if self.changed:  # a file of unchanged rows changes nothing to log
            _imported(self.kind, self.resource, self.actor, self.changed, totals)


def preview_rows(result, dataset) -> list[dict]:
    """Rows of an import result for the preview table: file line, status, values, errors."""
    out = []
    invalid = {r.number: r for r in result.invalid_rows}
    errors = {n: errs for n, errs in result.row_errors()}
    for number, row in enumerate(result.rows, start=1):
        messages = []
        if number in invalid:
            for field, msgs in invalid[number].error_dict.items():
                messages += [f"{field}: {m}" for m in msgs]
        for err in errors.get(number, []):
            messages.append(str(err.error))
        values = list(dataset[number - 1]) if number - 1 < len(dataset) else []
        out.append({"line": number + 1, "status": row.import_type, "values": values, "errors": messages})
    return out


# --- Bulk enroll --------------------------------------------------------------------------------

ENROLLMENT_COLUMNS = "program,account,primary_partner_user,tier,enrollment_date,expiration_date"


def _date(text: str, errors: list[str], field: str):
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        errors.append(f"{field}: “{text}” is not a date (use YYYY-MM-DD).")
        return None


class EnrollmentChecker:
    """The rules of Enroll, row by row (see ``check_enrollments``), fed a chunk at a time: the
    lookups are read once, and an account enrolled twice in the same program is caught across
    chunks. ``valid`` collects the enrollments to create."""

    def __init__(self, tenant):
        self.tenant = tenant
        programs = PartnerProgram.objects.filter(tenant=tenant).select_related("tenant")
        self.programs = {p.name.lower(): p for p in programs}
        self.accounts = {a.name.lower(): a for a in PartnerAccount.objects.filter(tenant=tenant)}
        self.users = {
            pu.user.email.lower(): pu for pu in PartnerUser.objects.filter(tenant=tenant).select_related("user")
        }
        self.tiers: dict[int, list[Tier]] = {}
        for t in Tier.objects.filter(tenant=tenant).order_by("position", "id"):
            self.tiers.setdefault(t.program_id, []).append(t)
        today = timezone.localdate(timezone.now(), tenant.zone)
        self.active = set(
            PartnerEnrollment.objects.filter(
                tenant=tenant, ended_at__isnull=True, expiration_date__gte=today
            ).values_list("program_id", "account_id")
        )
        self.seen: dict[tuple[int, int], int] = {}
        self.valid: list[PartnerEnrollment] = []

    def check(self, raw: dict, line: int) -> list[str]:
        """The errors of one row (a dict of the file's columns), at ``line`` of the file."""
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        errors: list[str] = []
        program = self.programs.get(row.get("program", "").lower())
        account = self.accounts.get(row.get("account", "").lower())
        user = self.users.get(row.get("primary_partner_user", "").lower())
        if program is None:
            errors.append(f"program: “{row.get('program', '')}” not found in this workspace.")
        if account is None:
            errors.append(f"account: “{row.get('account', '')}” not found in this workspace.")
        if user is None:
            errors.append(f"primary_partner_user: “{row.get('primary_partner_user', '')}” is not a partner user.")
        elif account is not None and user.account_id != account.pk:
            errors.append(f"primary_partner_user: {user.user.email} is not a user of {account.name}.")
        tier = None
        if program is not None:
            choices = self.tiers.get(program.pk, [])
            name = row.get("tier", "")
            tier = (
                next((t for t in choices if t.name.lower() == name.lower()), None)
                if name
                else next(iter(choices), None)
            )
            if tier is None:
                errors.append(
                    f"tier: “{name}” is not a tier of {program.name}." if name else "tier: the program has no tiers."
                )
        start = _date(row.get("enrollment_date", ""), errors, "enrollment_date")
        end = _date(row.get("expiration_date", ""), errors, "expiration_date")
        if start and end and end <= start:
            errors.append("expiration_date: The expiration date must be after the enrollment date.")
        if program is not None and account is not None:
            key = (program.pk, account.pk)
            if key in self.active:
                errors.append(f"account: {account.name} already has an active enrollment in {program.name}.")
            elif key in self.seen:
                where = f"on line {self.seen[key]} already"
                errors.append(f"account: {account.name} is enrolled in {program.name} {where}.")
            self.seen.setdefault(key, line)
        if not errors:
            self.valid.append(
                PartnerEnrollment(
                    tenant=self.tenant,
                    program=program,
                    account=account,
                    tier=tier,
                    enrollment_date=start,
                    expiration_date=end,
                    primary_partner_user=user,
                )
            )
        return errors


class EnrollmentImporter:
    """Bulk enroll as a job (jobs.imports): the checker's verdict per row; ``finish`` enrolls
    every valid row (enroll_partners: under lock, progress computed, one activity entry)."""

    def __init__(self, tenant, actor):
        self.tenant, self.actor = tenant, actor
        self.checker = EnrollmentChecker(tenant)

    def run(self, dataset: tablib.Dataset, *, dry_run: bool, lines: list[int] | None = None):
        out = []
        for i, raw in enumerate(dataset.dict):
            errors = self.checker.check(raw, lines[i] if lines else i + 2)
            out.append(("new", errors))
        return out

    def finish(self, totals: dict) -> None:
        enroll_partners(tenant=self.tenant, actor=self.actor, enrollments=self.checker.valid)


def check_enrollments(*, tenant, csv_text: str):
    """Validate a CSV of enrollments row by row, with the rules of Enroll: program and account
    by name, the primary partner user by email among the account's users, the tier by name among
    the program's (empty: the first), dates in order, no active enrollment of the account in the
    program, and the same account and program at most once in the file. A fixed number of
    queries whatever the row count. Returns (preview rows, totals, headers, enrollments to create);
    the totals and rows have the shape of the other imports' preview."""
    columns = ENROLLMENT_COLUMNS.split(",")
    # The shared reader refuses a file with no header, a repeated column or no rows (ImportFileError).
    dataset = read_csv(csv_text, columns=columns, required=tuple(c for c in columns if c != "tier"))
    checker = EnrollmentChecker(tenant)
    rows = []
    for number, raw in enumerate(dataset.dict, start=1):
        errors = checker.check(raw, number + 1)
        rows.append(
            {
                "line": number + 1,
                "status": "new" if not errors else "invalid",
                "values": [raw.get(h, "") for h in dataset.headers],
                "errors": errors,
            }
        )
    valid = checker.valid
    invalid = sum(1 for r in rows if r["errors"])
    totals = {
        "new": len(rows) - invalid,
        "update": 0,
        "skip": 0,
        "invalid": invalid,
        "error": 0,
        "failed": bool(invalid),
    }
    return rows, totals, dataset.headers or [], valid
