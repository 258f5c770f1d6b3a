"""Reads of the partner data pages (accounts, partner users, opportunities, deal
registrations, course assignments, currency rates) and the visibility rule: what a partner user
can see is what their progress counts."""

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery

from ..models import (
    CourseAssignment,
    CriterionKind,
    CurrencyRate,
    Lead,
    Opportunity,
    PartnerAccount,
    PartnerEnrollment,
    PartnerUser,
)
from .base import access_object


def access_partner_account(*, tenant, account_id, for_update=False) -> PartnerAccount:
    return access_object(PartnerAccount, tenant=tenant, pk=account_id, for_update=for_update, label="partner account")


def access_partner_user(*, tenant, partner_user_id, for_update=False) -> PartnerUser:
    qs = PartnerUser.objects.select_related("user", "account")
    return access_object(
        PartnerUser, tenant=tenant, pk=partner_user_id, for_update=for_update, qs=qs, label="partner user"
    )


def access_opportunity(*, tenant, opportunity_id, for_update=False) -> Opportunity:
    qs = Opportunity.objects.select_related("account", "owner")
    return access_object(
        Opportunity, tenant=tenant, pk=opportunity_id, for_update=for_update, qs=qs, label="opportunity"
    )


def access_lead(*, tenant, lead_id, for_update=False) -> Lead:
    qs = Lead.objects.select_related("account", "owner")
    return access_object(Lead, tenant=tenant, pk=lead_id, for_update=for_update, qs=qs, label="lead")


def access_course_assignment(*, tenant, assignment_id, for_update=False) -> CourseAssignment:
    qs = CourseAssignment.objects.select_related("partner_user__user", "partner_user__account")
    return access_object(
        CourseAssignment, tenant=tenant, pk=assignment_id, for_update=for_update, qs=qs, label="assignment"
    )


def access_currency_rate(*, tenant, rate_id, for_update=False) -> CurrencyRate:
    return access_object(CurrencyRate, tenant=tenant, pk=rate_id, for_update=for_update, label="currency rate")


# --- Partner data --------------------------------------------------------------------------------


def partner_account_list(*, tenant) -> QuerySet[PartnerAccount]:
    return PartnerAccount.objects.filter(tenant=tenant).annotate(user_count=Count("partner_users"))


def partner_user_list(*, tenant) -> QuerySet[PartnerUser]:
    return PartnerUser.objects.filter(tenant=tenant).select_related("user", "account")


def opportunity_list(*, tenant) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(tenant=tenant).select_related("account", "owner")


def lead_list(*, tenant) -> QuerySet[Lead]:
    return Lead.objects.filter(tenant=tenant).select_related("account", "owner")


def course_assignment_list(*, tenant) -> QuerySet[CourseAssignment]:
    return CourseAssignment.objects.filter(tenant=tenant).select_related("partner_user__user", "partner_user__account")


def currency_rate_list(*, tenant) -> QuerySet[CurrencyRate]:
    return CurrencyRate.objects.filter(tenant=tenant)


def _visible(partner_user: PartnerUser, owner_q: Q, account_field: str, model) -> QuerySet:
    qs = model.objects.filter(tenant_id=partner_user.tenant_id, **{account_field: partner_user.account_id})
    return qs if partner_user.is_partner_admin else qs.filter(owner_q)


def visible_opportunities(partner_user: PartnerUser) -> QuerySet[Opportunity]:
    """What a partner user can see: their account's records they own; all of them if partner admin."""
    return _visible(partner_user, Q(owner_id=partner_user.user_id), "account_id", Opportunity)


def visible_leads(partner_user: PartnerUser) -> QuerySet[Lead]:
    return _visible(partner_user, Q(owner_id=partner_user.user_id), "account_id", Lead)


def visible_course_assignments(partner_user: PartnerUser) -> QuerySet[CourseAssignment]:
    return _visible(partner_user, Q(partner_user_id=partner_user.id), "partner_user__account_id", CourseAssignment)


def partner_user_for(*, tenant, user) -> PartnerUser | None:
    """The partner user profile of a member (the partner portal starts here)."""
    return PartnerUser.objects.filter(tenant=tenant, user=user).select_related("account").first()


def missing_rate_pairs(*, tenant) -> list[dict]:
    """The (currency → program currency) pairs that deals need and the rates lack, with the
    date range and how many deals: deals of an account enrolled in a program that measures
    revenue, closed within that enrollment, in another currency than the program's, with no rate
    on or before their close date. One query."""
    enrollment = PartnerEnrollment.objects.filter(
        tenant=tenant,
        account_id=OuterRef("account_id"),
        enrollment_date__lte=OuterRef("close_date"),
        expiration_date__gte=OuterRef("close_date"),
        program__criteria__kind=CriterionKind.REVENUE,
    ).exclude(program__currency=OuterRef("currency"))
    rate = CurrencyRate.objects.filter(
        tenant=tenant, from_currency=OuterRef("currency"), to_currency=OuterRef("to"), date__lte=OuterRef("close_date")
    )
    rows = (
        Opportunity.objects.filter(tenant=tenant)
        .annotate(to=Subquery(enrollment.order_by("program__currency").values("program__currency")[:1]))
        .filter(to__isnull=False)
        .annotate(has_rate=Exists(rate))
        .filter(has_rate=False)
        .order_by()
        .values("currency", "to")
        .annotate(count=Count("pk"), first=Min("close_date"), last=Max("close_date"))
        .order_by("currency", "to")
    )
    return [
        {
            "from_currency": r["currency"],
            "to_currency": r["to"],
            "count": r["count"],
            "first": r["first"],
            "last": r["last"],
        }
        for r in rows
    ]
