"""Reads of the partners app: tenant-scoped querysets with the joins their pages need, the
``access_*`` lookups (404 alike for missing and foreign ids), and the visibility rule."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from .models import (
    Benefit,
    CourseAssignment,
    Criterion,
    CriterionResult,
    CriterionThreshold,
    CurrencyRate,
    CustomCriterionStatus,
    Lead,
    Opportunity,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
    Tier,
    TierBenefit,
)


def _access(model, *, tenant, pk, for_update=False, qs=None, label="object"):
    qs = qs if qs is not None else model.objects.all()
    qs = qs.filter(tenant=tenant)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {label}.") from None


def access_program(*, tenant, program_id, for_update=False) -> PartnerProgram:
    return _access(PartnerProgram, tenant=tenant, pk=program_id, for_update=for_update, label="program")


def access_tier(*, tenant, tier_id, for_update=False) -> Tier:
    qs = Tier.objects.select_related("program")
    return _access(Tier, tenant=tenant, pk=tier_id, for_update=for_update, qs=qs, label="tier")


def access_criterion(*, tenant, criterion_id, for_update=False) -> Criterion:
    qs = Criterion.objects.select_related("program")
    return _access(Criterion, tenant=tenant, pk=criterion_id, for_update=for_update, qs=qs, label="criterion")


def access_benefit(*, tenant, benefit_id, for_update=False) -> Benefit:
    return _access(Benefit, tenant=tenant, pk=benefit_id, for_update=for_update, label="benefit")


def access_partner_account(*, tenant, account_id, for_update=False) -> PartnerAccount:
    return _access(PartnerAccount, tenant=tenant, pk=account_id, for_update=for_update, label="partner account")


def access_partner_user(*, tenant, partner_user_id, for_update=False) -> PartnerUser:
    qs = PartnerUser.objects.select_related("user", "account")
    return _access(PartnerUser, tenant=tenant, pk=partner_user_id, for_update=for_update, qs=qs, label="partner user")


def access_opportunity(*, tenant, opportunity_id, for_update=False) -> Opportunity:
    qs = Opportunity.objects.select_related("account", "owner")
    return _access(Opportunity, tenant=tenant, pk=opportunity_id, for_update=for_update, qs=qs, label="opportunity")


def access_lead(*, tenant, lead_id, for_update=False) -> Lead:
    qs = Lead.objects.select_related("account", "owner")
    return _access(Lead, tenant=tenant, pk=lead_id, for_update=for_update, qs=qs, label="lead")


def access_course_assignment(*, tenant, assignment_id, for_update=False) -> CourseAssignment:
    qs = CourseAssignment.objects.select_related("partner_user__user", "partner_user__account")
    return _access(CourseAssignment, tenant=tenant, pk=assignment_id, for_update=for_update, qs=qs, label="assignment")


def access_currency_rate(*, tenant, rate_id, for_update=False) -> CurrencyRate:
    return _access(CurrencyRate, tenant=tenant, pk=rate_id, for_update=for_update, label="currency rate")


def access_enrollment(*, tenant, enrollment_id, for_update=False) -> PartnerEnrollment:
    qs = PartnerEnrollment.objects.select_related(
        "program", "account", "tier", "next_tier", "qualifying_tier", "primary_partner_user__user"
    )
    return _access(PartnerEnrollment, tenant=tenant, pk=enrollment_id, for_update=for_update, qs=qs, label="enrollment")


# --- Programs and their configuration -----------------------------------------------------------


def program_list(*, tenant) -> QuerySet[PartnerProgram]:
    return PartnerProgram.objects.filter(tenant=tenant).annotate(
        tier_count=Count("tiers", distinct=True),
        criterion_count=Count("criteria", distinct=True),
        enrollment_count=Count("enrollments", distinct=True),
    )


def program_tiers(*, program) -> list[Tier]:
    return list(Tier.objects.filter(tenant_id=program.tenant_id, program=program).order_by("position", "id"))


def program_criteria(*, program) -> list[Criterion]:
    """Criteria in order, each with ``thresholds`` prefetched (any order; see threshold_grid)."""
    return list(
        Criterion.objects.filter(tenant_id=program.tenant_id, program=program)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("thresholds", queryset=CriterionThreshold.objects.filter(tenant_id=program.tenant_id))
        )
    )


def threshold_grid(*, criteria, tiers) -> list[dict]:
    """For each criterion: the criterion and its thresholds in tier order (None when unset)."""
    rows = []
    for c in criteria:
        by_tier = {t.tier_id: t.value for t in c.thresholds.all()}
        rows.append({"criterion": c, "thresholds": [by_tier.get(t.id) for t in tiers]})
    return rows


def benefit_library(*, tenant) -> QuerySet[Benefit]:
    return Benefit.objects.filter(tenant=tenant).order_by("position", "name")


def benefit_grid(*, program, tiers, only_offered: bool = False) -> list[dict]:
    """For each library benefit: its value at each tier of the program ("" = not available).

    ``only_offered`` drops benefits with no value at any tier (what partners are shown)."""
    values = {
        (b, t): v
        for b, t, v in TierBenefit.objects.filter(tenant_id=program.tenant_id, tier__program=program).values_list(
            "benefit_id", "tier_id", "value"
        )
    }
    rows = []
    for benefit in Benefit.objects.filter(tenant_id=program.tenant_id).order_by("position", "name"):
        cells = [values.get((benefit.id, t.id), "") for t in tiers]
        if only_offered and not any(cells):
            continue
        rows.append({"benefit": benefit, "values": cells})
    return rows


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


# --- Enrollments ---------------------------------------------------------------------------------


def enrollment_list(*, tenant) -> QuerySet[PartnerEnrollment]:
    return PartnerEnrollment.objects.filter(tenant=tenant).select_related(
        "program", "account", "tier", "next_tier", "primary_partner_user__user"
    )


def enrollment_detail(*, tenant, enrollment_id) -> dict:
    """Everything the Enrollment Details page shows, in a fixed number of queries: the
    enrollment, the program's tiers, criteria with thresholds, the stored result per criterion,
    custom criterion statuses, and the benefit grid."""
    enrollment = access_enrollment(tenant=tenant, enrollment_id=enrollment_id)
    program = enrollment.program
    tiers = program_tiers(program=program)
    criteria = program_criteria(program=program)
    results = {r.criterion_id: r for r in CriterionResult.objects.filter(tenant=tenant, enrollment=enrollment)}
    customs = {
        s.criterion_id: s
        for s in CustomCriterionStatus.objects.filter(tenant=tenant, enrollment=enrollment).select_related(
            "verified_by"
        )
    }
    rows = []
    for row in threshold_grid(criteria=criteria, tiers=tiers):
        c = row["criterion"]
        result = results.get(c.id)
        met = set(result.met_tier_ids) if result else set()
        rows.append(
            {
                **row,
                "result": result,
                "met": [t.id in met for t in tiers],
                "custom_status": customs.get(c.id),
            }
        )
    return {
        "enrollment": enrollment,
        "program": program,
        "tiers": tiers,
        "criteria": rows,
        "benefits": benefit_grid(program=program, tiers=tiers, only_offered=True),
    }
