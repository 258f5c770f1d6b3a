"""Reads of the partner data pages (accounts, partner users, opportunities, deal
registrations, course assignments, currency rates) and the visibility rule: what a partner user
can see is what their progress counts."""

from django.db.models import Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Value

from ..criteria import conditions_q
from ..engine import criterion_date_field
from ..models import (
    CourseAssignment,
    Criterion,
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


def partner_account_suggestions(*, tenant, text: str, limit: int = 20) -> QuerySet[PartnerAccount]:
    """The first ``limit`` partner accounts whose name or region contains ``text`` (the data
    lists' Account filter suggestions), by name."""
    accounts = PartnerAccount.objects.filter(tenant=tenant)
    text = text.strip()
    if text:
        accounts = accounts.filter(Q(name__icontains=text) | Q(region__icontains=text))
    return accounts.only("name", "region").order_by("name")[:limit]


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
    """The rates deals need and lack, per revenue criterion: deals that criterion would count
    for an enrollment (the primary partner user sees them, the criterion's attainment date is
    within the enrollment, they match its filter) in another currency than the program's, with no
    rate on or before that date. Per (program, criterion, from currency): how many deals and the
    range of their dates, the first being the date a new rate must not be later than. Two queries
    (the revenue criteria, then one statement for all of them), whatever the number of deals."""
    criteria = {
        c.pk: c
        for c in Criterion.objects.filter(tenant=tenant, kind=CriterionKind.REVENUE)
        .select_related("program")
        .order_by("program__name", "position", "id")
    }
    parts = [_missing_for(tenant, c) for c in criteria.values()]
    if not parts:
        return []
    rows = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    found = {(r["criterion_id"], r["currency"]): r for r in rows}
    return [
        {
            "program": c.program,
            "criterion": c,
            "from_currency": currency,
            "to_currency": c.program.currency,
            "count": r["count"],
            "first": r["first"],
            "last": r["last"],
        }
        for c in criteria.values()
        for (cid, currency), r in sorted(found.items())
        if cid == c.pk
    ]


def _missing_for(tenant, criterion):
    """Per currency, the deals ``criterion`` would count and no rate converts (see above)."""
    field = criterion_date_field(criterion)
    to = criterion.program.currency
    counted_by = PartnerEnrollment.objects.filter(
        tenant=tenant,
        program_id=criterion.program_id,
        account_id=OuterRef("account_id"),
        enrollment_date__lte=OuterRef(field),
        expiration_date__gte=OuterRef(field),
        primary_partner_user__account_id=F("account_id"),
    ).filter(Q(primary_partner_user__is_partner_admin=True) | Q(primary_partner_user__user_id=OuterRef("owner_id")))
    rate = CurrencyRate.objects.filter(
        tenant=tenant, from_currency=OuterRef("currency"), to_currency=to, date__lte=OuterRef(field)
    )
    return (
        Opportunity.objects.filter(tenant=tenant)
        .exclude(currency=to)
        .filter(conditions_q(criterion.kind, criterion.conditions), Exists(counted_by), ~Exists(rate))
        .order_by()
        .values("currency")
        .annotate(
            criterion_id=Value(criterion.pk, output_field=IntegerField()),
            count=Count("pk"),
            first=Min(field),
            last=Max(field),
        )
        .order_by()
    )
