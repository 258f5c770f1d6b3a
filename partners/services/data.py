"""Partner data: accounts, partner users, opportunities, leads, course assignments and currency
rates. Every change that can move progress marks the affected enrollments due in the same
transaction (see partners.services.recalc)."""

from django.db import transaction

from activity.models import Action
from activity.services import record
from common.services import model_update

from ..models import (
    CourseAssignment,
    CurrencyRate,
    Lead,
    Opportunity,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
)
from .recalc import mark_accounts_due, mark_enrollments_due

OPPORTUNITY_FIELDS = [
    "account",
    "owner",
    "name",
    "amount",
    "expected_revenue",
    "currency",
    "stage",
    "close_date",
    "created_date",
]
LEAD_FIELDS = ["account", "owner", "company", "status", "approval_date", "created_date"]
COURSE_FIELDS = ["partner_user", "course_name", "assigned_date", "completed_date"]


def _account_ids(instance) -> set[int]:
    if isinstance(instance, CourseAssignment):
        return {instance.partner_user.account_id} if instance.partner_user_id else set()
    return {instance.account_id}


@transaction.atomic
def partner_account_create(*, tenant, actor, name: str, region: str = "", website: str = "") -> PartnerAccount:
    account = PartnerAccount(tenant=tenant, name=name, region=region, website=website)
    account.full_clean()
    account.save()
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=account)
    return account


@transaction.atomic
def partner_account_update(account: PartnerAccount, *, actor, data: dict) -> PartnerAccount:
    account, updated, changes = model_update(instance=account, fields=["name", "region", "website"], data=data)
    if updated:
        record(tenant=account.tenant, actor=actor, action=Action.UPDATE, target=account, changes=changes)
    return account


@transaction.atomic
def partner_user_create(*, tenant, actor, account: PartnerAccount, user, is_partner_admin: bool = False) -> PartnerUser:
    partner_user = PartnerUser(tenant=tenant, account=account, user=user, is_partner_admin=is_partner_admin)
    partner_user.full_clean()
    partner_user.save()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target=partner_user,
        changes={"is_partner_admin": [None, is_partner_admin]},
    )
    return partner_user


@transaction.atomic
def partner_user_update(partner_user: PartnerUser, *, actor, data: dict) -> PartnerUser:
    """Changing what a partner user can see (admin flag, account) moves the progress of the
    enrollments they are primary user of, and of their course assignments' accounts."""
    old_account = partner_user.account_id
    partner_user, updated, changes = model_update(
        instance=partner_user, fields=["account", "is_partner_admin"], data=data
    )
    if updated:
        mark_enrollments_due(
            PartnerEnrollment.objects.filter(tenant_id=partner_user.tenant_id, primary_partner_user=partner_user)
        )
        if "account" in changes:
            mark_accounts_due(partner_user.tenant, {old_account, partner_user.account_id})
        record(tenant=partner_user.tenant, actor=actor, action=Action.UPDATE, target=partner_user, changes=changes)
    return partner_user


def _create(model, fields, *, tenant, actor, data):
    instance = model(tenant=tenant, **{k: v for k, v in data.items() if k in fields})
    instance.full_clean()
    instance.save()
    mark_accounts_due(tenant, _account_ids(instance))
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=instance)
    return instance


def _update(instance, fields, *, actor, data):
    before = _account_ids(instance)
    instance, updated, changes = model_update(instance=instance, fields=fields, data=data)
    if updated:
        mark_accounts_due(instance.tenant, before | _account_ids(instance))
        record(tenant=instance.tenant, actor=actor, action=Action.UPDATE, target=instance, changes=changes)
    return instance


def _delete(instance, *, actor):
    accounts = _account_ids(instance)
    mark_accounts_due(instance.tenant, accounts)
    record(tenant=instance.tenant, actor=actor, action=Action.DELETE, target=instance)
    instance.delete()


@transaction.atomic
def opportunity_create(*, tenant, actor, data: dict) -> Opportunity:
    return _create(Opportunity, OPPORTUNITY_FIELDS, tenant=tenant, actor=actor, data=data)


@transaction.atomic
def opportunity_update(opportunity: Opportunity, *, actor, data: dict) -> Opportunity:
    return _update(opportunity, OPPORTUNITY_FIELDS, actor=actor, data=data)


@transaction.atomic
def opportunity_delete(opportunity: Opportunity, *, actor) -> None:
    _delete(opportunity, actor=actor)


@transaction.atomic
def lead_create(*, tenant, actor, data: dict) -> Lead:
    return _create(Lead, LEAD_FIELDS, tenant=tenant, actor=actor, data=data)


@transaction.atomic
def lead_update(lead: Lead, *, actor, data: dict) -> Lead:
    return _update(lead, LEAD_FIELDS, actor=actor, data=data)


@transaction.atomic
def lead_delete(lead: Lead, *, actor) -> None:
    _delete(lead, actor=actor)


@transaction.atomic
def course_assignment_create(*, tenant, actor, data: dict) -> CourseAssignment:
    return _create(CourseAssignment, COURSE_FIELDS, tenant=tenant, actor=actor, data=data)


@transaction.atomic
def course_assignment_update(assignment: CourseAssignment, *, actor, data: dict) -> CourseAssignment:
    return _update(assignment, COURSE_FIELDS, actor=actor, data=data)


@transaction.atomic
def course_assignment_delete(assignment: CourseAssignment, *, actor) -> None:
    _delete(assignment, actor=actor)


def _mark_currency_due(tenant, *currencies) -> int:
    """Enrollments of programs in these (target) currencies: their revenue may convert anew."""
    programs = PartnerProgram.objects.filter(tenant=tenant, currency__in=[c for c in currencies if c])
    return mark_enrollments_due(PartnerEnrollment.objects.filter(tenant=tenant, program__in=programs))


RATE_FIELDS = ["date", "from_currency", "to_currency", "rate"]


@transaction.atomic
def currency_rate_create(*, tenant, actor, data: dict) -> CurrencyRate:
    rate = CurrencyRate(tenant=tenant, **{k: data[k] for k in RATE_FIELDS if k in data})
    rate.full_clean()
    rate.save()
    _mark_currency_due(tenant, rate.to_currency)
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=rate)
    return rate


@transaction.atomic
def currency_rate_update(rate: CurrencyRate, *, actor, data: dict) -> CurrencyRate:
    old_to = rate.to_currency
    rate, updated, changes = model_update(instance=rate, fields=RATE_FIELDS, data=data)
    if updated:
        _mark_currency_due(rate.tenant, old_to, rate.to_currency)
        record(tenant=rate.tenant, actor=actor, action=Action.UPDATE, target=rate, changes=changes)
    return rate


@transaction.atomic
def currency_rate_delete(rate: CurrencyRate, *, actor) -> None:
    _mark_currency_due(rate.tenant, rate.to_currency)
    record(tenant=rate.tenant, actor=actor, action=Action.DELETE, target=rate)
    rate.delete()
