"""CSV import of opportunities, leads and course assignments (the set-based row pipeline of
common.bulk_import), and the bulk enrollment check (the rules of Enroll, row by row, with the
same preview).

Every lookup is scoped to the tenant and made once per chunk of rows: partner accounts by name,
owners by the email of a member of the workspace, partner users by their email, and the ids of
the rows to update. Rows are checked with the model's own field validation and ``clean`` (so a
preview lists each row's errors next to it); the import is one transaction that either applies
every row or none, marks the affected enrollments due and writes one activity entry."""

import datetime as dt
from decimal import Decimal, InvalidOperation

import tablib
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common.bulk_import import Column, Lookup, RowPipeline, analyze_after_commit
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


def _choice(choices):
    """A choice's value or its label ("closed_won" or "Closed Won")."""
    lookup = {}
    for value, label in choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    labels = ", ".join(str(label) for _, label in choices)

    def parse(value: str) -> str:
        text = (value or "").strip()
        if text and text.lower() not in lookup:
            raise ValueError(f"“{text}” is not one of {labels}.")
        return lookup[text.lower()] if text else ""

    return parse


def _money(value: str):
    text = (value or "").replace(",", "").replace("$", "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{value}” is not a number.") from None


def _digits(value: Decimal):
    """What a DecimalField's checks look at: the count of digits and places (its message for NaN
    or Infinity names the value)."""
    if not value.is_finite():
        return str(value)
    _, digits, exponent = value.as_tuple()
    return len(digits), exponent


def _upper(value: str) -> str:
    return (value or "").strip().upper()


def _iso_date(value: str):
    # Only the format the page asks for: 01/02/2026 is January or February depending on who wrote it.
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date, no zone
    except ValueError:
        raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD).") from None


def _accounts(tenant):
    def resolve(names: set[str]) -> dict:
        rows = PartnerAccount.objects.filter(tenant=tenant, name__in=names).values_list("name", "pk")
        return {name: (pk, pk) for name, pk in rows}

    return Lookup("account", resolve)


def _owners(tenant):
    def resolve(emails: set[str]) -> dict:
        return {
            email: (pk, None)
            for pk, email in member_users(tenant=tenant).filter(email__in=emails).values_list("pk", "email")
        }

    return Lookup("owner", resolve)


def _partner_users(tenant):
    def resolve(emails: set[str]) -> dict:
        rows = PartnerUser.objects.filter(tenant=tenant, user__email__in=emails).values_list(
            "user__email", "pk", "account_id"
        )
        return {email: (pk, account) for email, pk, account in rows}

    return Lookup("partner_user", resolve)


def _columns(kind: str, tenant) -> list:
    def date(name):
        return Column(name, _iso_date)

    def today(name):  # empty: today (the model's default)
        return Column(name, _iso_date, default_when_empty=True)

    if kind == "opportunities":
        return [
            _accounts(tenant),
            _owners(tenant),
            Column("name", cache=False),
            Column("amount", _money, cache=False, shape=_digits),
            Column("expected_revenue", _money, cache=False, shape=_digits),
            Column("currency", _upper),
            Column("stage", _choice(OpportunityStage.choices)),
            date("close_date"),
            today("created_date"),
        ]
    if kind == "leads":
        return [
            _accounts(tenant),
            _owners(tenant),
            Column("company", cache=False),
            Column("status", _choice(LeadStatus.choices)),
            date("approval_date"),
            today("created_date"),
        ]
    return [
        _partner_users(tenant),
        Column("course_name"),
        today("assigned_date"),
        date("completed_date"),
    ]


MODELS = {"opportunities": Opportunity, "leads": Lead, "courses": CourseAssignment}
COLUMNS = {
    "opportunities": "account,owner,name,amount,expected_revenue,currency,stage,close_date,created_date",
    "leads": "account,owner,company,status,approval_date,created_date",
    "courses": "partner_user,course_name,assigned_date,completed_date",
}


class PartnerDataImporter:
    """One import of ``kind`` fed chunk by chunk (jobs.imports): a row's status and errors as in
    the preview; ``finish`` runs once after the last chunk of a committed import."""

    def __init__(self, kind: str, tenant, actor):
        self.kind, self.tenant, self.actor = kind, tenant, actor
        self.model = MODELS[kind]
        self.pipeline = RowPipeline(self.model, tenant, _columns(kind, tenant))
        self.stored = [c.name for c in self.pipeline.columns]
        self.changed: list[int] = []
        self.touched_accounts: set[int] = set()

    def run(self, dataset: tablib.Dataset, *, dry_run: bool, lines=None) -> list[tuple[str, list[str]]]:
        """Check a chunk (one query per lookup); unless ``dry_run``, write its new and changed rows
        in the caller's transaction."""
        checked = self.pipeline.check(dataset.headers, dataset, stored_fields=self.stored, build=not dry_run)
        if not dry_run and not any(errors for _, errors in checked.outcomes):
            present = [self.model._meta.get_field(c).attname for c in self.stored if c in dataset.headers]
            self.changed += self.pipeline.write(checked, update_fields=present)
            self.touched_accounts |= self._accounts(checked)
        return checked.outcomes

    def _accounts(self, checked) -> set[int]:
        """The accounts whose enrollments the written rows count in: before and after the change."""
        accounts = {a for a in checked.extras if a}
        if self.kind != "courses":
            accounts |= {o.account_id for o in checked.new} | {o.account_id for o in checked.updated}
            return accounts | {old["account_id"] for old in checked.old}
        users = {old["partner_user_id"] for old in checked.old} | {o.partner_user_id for o in checked.updated}
        if users:
            accounts |= set(
                PartnerUser.objects.filter(tenant=self.tenant, pk__in=users).values_list("account_id", flat=True)
            )
        return accounts

    def finish(self, totals: dict) -> None:
        if not self.changed:  # a file of unchanged rows changes nothing to log
            return
        mark_accounts_due(self.tenant, self.touched_accounts)
        record(
            tenant=self.tenant,
            actor=self.actor,
            action=Action.CREATE,
            target=self.model.__name__,
            verb=f"imported {self.kind}",
            count=len(self.changed),
            object_ids=self.changed,
            changes={t: [None, totals.get(t, 0)] for t in ("new", "update", "skip")},
        )
        analyze_after_commit(self.model, len(self.changed))


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
