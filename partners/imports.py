"""CSV import of opportunities, leads and course assignments (django-import-export).

Every lookup is scoped to the tenant: partner accounts by name, owners by the email of a member
of the workspace, partner users by their email. Rows are validated with the model's full_clean
(so a preview lists each row's errors next to it); the import is one transaction that either
applies every row or none, marks the affected enrollments due and writes one activity entry."""

from decimal import Decimal, InvalidOperation

import tablib
from django.db import transaction
from import_export import fields, resources, widgets

from activity.models import Action
from activity.services import record
from common.imports import read_csv
from tenancy.selectors import member_users

from .models import CourseAssignment, Lead, LeadStatus, Opportunity, OpportunityStage, PartnerAccount, PartnerUser
from .services.recalc import mark_accounts_due


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    def __init__(self, queryset_factory, field):
        super().__init__(queryset_factory().model, field=field)
        self.queryset_factory = queryset_factory

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset_factory()

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
        super().__init__()

    def get_queryset(self):
        return self._meta.model.objects.filter(tenant=self.tenant)

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
            mark_accounts_due(tenant, resource.touched_accounts)
            record(
                tenant=tenant,
                actor=actor,
                action=Action.CREATE,
                target=resource._meta.model.__name__,
                verb=f"imported {kind}",
                count=len(changed),
                object_ids=[row.object_id for row in changed],
                changes={t: [None, result.totals.get(t, 0)] for t in ("new", "update", "skip")},
            )
    return result, dataset


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
