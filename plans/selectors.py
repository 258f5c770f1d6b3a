"""Reads of plans and what hangs off them. Each list is one queryset (joins and aggregates in SQL)
so a page costs the same number of queries whatever the row count."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404

from common.precompiled import ID_MARKER, TENANT_MARKER, Precompiled
from tenancy.models import Membership, Tenant, User

from .models import Calculation, Credit, Plan, PlanBeneficiary, PlanDocument, Reward, SalesTransaction, Team, TeamMember


def _access(qs: QuerySet, object_id, message: str, for_update: bool):
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(object_id))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


def access_plan(*, tenant: Tenant, plan_id, for_update: bool = False) -> Plan:
    """The plan with this id in this tenant, or 404 (same answer for missing and foreign)."""
    return _access(Plan.objects.filter(tenant=tenant), plan_id, "No such plan.", for_update)


def access_calculation(*, tenant: Tenant, calculation_id, for_update: bool = False) -> Calculation:
    qs = Calculation.objects.filter(tenant=tenant).select_related("plan")
    return _access(qs, calculation_id, "No such calculation.", for_update)


def access_beneficiary(*, tenant: Tenant, beneficiary_id, for_update: bool = False) -> PlanBeneficiary:
    qs = PlanBeneficiary.objects.filter(tenant=tenant).select_related("plan", "user", "team")
    return _access(qs, beneficiary_id, "No such beneficiary.", for_update)


def access_team(*, tenant: Tenant, team_id, for_update: bool = False) -> Team:
    return _access(Team.objects.filter(tenant=tenant), team_id, "No such team.", for_update)


def _people_of_plan() -> RawSQL:
    """Distinct people a plan benefits, teams expanded and only members of the workspace: the
    count the Beneficiaries tab shows, as a correlated subquery so a page of plans stays one query.
    Raw SQL because the ORM cannot correlate a UNION; the UNION makes a person assigned directly
    and through a team count once."""
    q = connection.ops.quote_name
    plan, entry = q(Plan._meta.db_table), q(PlanBeneficiary._meta.db_table)
    team_member, membership = q(TeamMember._meta.db_table), q(Membership._meta.db_table)
    sql = f"""SELECT COUNT(*) FROM (
        SELECT b.user_id AS user_id FROM {entry} b WHERE b.plan_id = {plan}.id AND b.user_id IS NOT NULL
        UNION
        SELECT t.user_id FROM {team_member} t INNER JOIN {entry} bt ON bt.team_id = t.team_id
        WHERE bt.plan_id = {plan}.id
    ) people WHERE EXISTS (
        SELECT 1 FROM {membership} m WHERE m.user_id = people.user_id AND m.tenant_id = {plan}.tenant_id
    )"""  # noqa: S608 - table names come from the models, nothing from input
    return RawSQL(sql, (), output_field=IntegerField())  # noqa: S611 - no user input in the SQL


def plan_list(*, tenant: Tenant) -> QuerySet[Plan]:
    """Plans with the people they benefit counted (one query for a page)."""
    return Plan.objects.filter(tenant=tenant).annotate(beneficiary_count=_people_of_plan()).order_by("name")


# Read by every plan tab that shows or signs the terms: compiled once (common.precompiled).
_CURRENT_DOCUMENT = Precompiled(
    lambda tenant_id, plan_id: PlanDocument.objects.filter(tenant_id=tenant_id, plan_id=plan_id).order_by("-version")[
        :1
    ],
    scoped_by="tenant_id",
    tenant_id=TENANT_MARKER,
    plan_id=ID_MARKER,
)


def current_document(*, plan: Plan) -> PlanDocument | None:
    found = _CURRENT_DOCUMENT(tenant_id=plan.tenant_id, plan_id=plan.pk)
    return found[0] if found else None


def plan_documents(*, plan: Plan) -> QuerySet[PlanDocument]:
    return PlanDocument.objects.filter(tenant_id=plan.tenant_id, plan=plan).select_related("created_by")


def _beneficiary_teams(tenant_id: int, plan_id: int) -> QuerySet[PlanBeneficiary]:
    members = TeamMember.objects.filter(tenant_id=tenant_id, team=OuterRef("team")).order_by()
    return (
        PlanBeneficiary.objects.filter(tenant_id=tenant_id, plan_id=plan_id, team__isnull=False)
        .select_related("team")
        .annotate(member_count=Subquery(members.values("team").annotate(n=Count("pk")).values("n")[:1]))
        .order_by("team__name", "pk")
    )


# On every load of the Beneficiaries tab: compiled once (building and compiling it cost twice
# running it).
_BENEFICIARY_TEAMS = Precompiled(_beneficiary_teams, scoped_by="tenant_id", tenant_id=TENANT_MARKER, plan_id=ID_MARKER)


def beneficiary_teams(*, plan: Plan) -> list[PlanBeneficiary]:
    """The plan's team assignments by team name, each with its team's member count."""
    return _BENEFICIARY_TEAMS(tenant_id=plan.tenant_id, plan_id=plan.pk)


def beneficiary_users(*, plan: Plan) -> QuerySet[User]:
    """Every user who benefits from the plan: assigned directly or through a team, and still a
    member of the workspace. One row per user, however many ways they are assigned.

    The ids come from one UNION (a semi-join the database hashes once), so the cost follows the
    plan's beneficiaries, not the number of users of every workspace. ``membership`` is the
    user's membership of this workspace (joined, for the status columns)."""
    t = plan.tenant_id
    direct = PlanBeneficiary.objects.filter(tenant_id=t, plan=plan, user__isnull=False).values("user_id")
    plan_teams = PlanBeneficiary.objects.filter(tenant_id=t, plan=plan, team__isnull=False).values("team_id")
    via_team = TeamMember.objects.filter(tenant_id=t, team_id__in=plan_teams).values("user_id")
    return (
        User.objects.filter(pk__in=direct.union(via_team))
        .annotate(membership=FilteredRelation("memberships", condition=Q(memberships__tenant_id=t)))
        .filter(membership__isnull=False)
    )


def is_beneficiary(*, plan: Plan, user: User) -> bool:
    return beneficiary_users(plan=plan).filter(pk=user.pk).exists()


def plans_of_user(*, tenant: Tenant, user: User) -> QuerySet[Plan]:
    """Plans where ``user`` is a beneficiary (directly or through a team)."""
    teams = TeamMember.objects.filter(tenant=tenant, user=user).values("team")
    links = PlanBeneficiary.objects.filter(tenant=tenant, plan=OuterRef("pk")).filter(Q(user=user) | Q(team__in=teams))
    return Plan.objects.filter(tenant=tenant).filter(Exists(links))


def plan_summary(*, plan: Plan) -> dict:
    """Totals for the Overview tab (fixed number of queries)."""
    t = plan.tenant_id
    rewards = Reward.objects.filter(tenant_id=t, plan=plan).aggregate(
        count=Count("pk"), total=Sum("amount"), released=Sum("amount", filter=Q(released=True))
    )
    return {
        "calculations": Calculation.objects.filter(tenant_id=t, plan=plan).count(),
        "credits": Credit.objects.filter(tenant_id=t, plan=plan).count(),
        "rewards": rewards["count"],
        "rewards_total": rewards["total"] or 0,
        "rewards_released": rewards["released"] or 0,
        "last_calculated": Calculation.objects.filter(tenant_id=t, plan=plan)
        .order_by("-calculated_at")
        .values_list("calculated_at", flat=True)
        .first(),
    }


def _released_split(queryset, name: str) -> dict[str, int]:
    """``{name: all, name_released: released}`` in one query: released credits and rewards show
    on the beneficiaries' own pages, so deleting them is worth saying apart."""
    counts = queryset.aggregate(n=Count("pk"), released=Count("pk", filter=Q(released=True)))
    return {name: counts["n"], f"{name}_released": counts["released"]}


def plan_deletion_counts(*, plan: Plan) -> dict[str, int]:
    """What deleting the plan takes with it (stated in the confirmation and the activity log)."""
    t = plan.tenant_id
    return {
        "calculations": Calculation.objects.filter(tenant_id=t, plan=plan).count(),
        **_released_split(Credit.objects.filter(tenant_id=t, plan=plan), "credits"),
        **_released_split(Reward.objects.filter(tenant_id=t, plan=plan), "rewards"),
        "beneficiaries": PlanBeneficiary.objects.filter(tenant_id=t, plan=plan).count(),
        # Every acceptance ever made, reset or not, through the reverse relation: the enrollments
        # app builds on plans, so plans does not import it.
        "enrollments": plan.enrollments.filter(tenant_id=t).count(),
    }


def calculation_deletion_counts(*, calculation: Calculation) -> dict[str, int]:
    t = calculation.tenant_id
    return {
        **_released_split(Credit.objects.filter(tenant_id=t, calculation=calculation), "credits"),
        **_released_split(Reward.objects.filter(tenant_id=t, calculation=calculation), "rewards"),
    }


@dataclass(frozen=True)
class BalanceChange:
    """How a user's owed balance moves when recoverable rewards are deleted with their plan or
    calculation: ``amount`` is the change (minus what the rewards added)."""

    email: str
    name: str
    currency: str
    amount: Decimal

    def __str__(self) -> str:
        return f"{self.name or self.email} ({self.email}): {self.currency} {self.amount:+,.2f}"


def balance_changes_of_deletion(*, plan: Plan, calculation: Calculation | None = None) -> list[BalanceChange]:
    """Owed balances that deleting the plan (or one calculation of it) changes, per user and
    currency, in one grouped query."""
    rewards = Reward.objects.filter(tenant_id=plan.tenant_id, plan=plan, recoverable=True)
    if calculation is not None:
        rewards = rewards.filter(calculation=calculation)
    rows = (
        rewards.values("user__email", "user__full_name", "currency")
        .annotate(total=Sum("amount"))
        .order_by("user__email", "currency")
    )
    return [BalanceChange(r["user__email"], r["user__full_name"], r["currency"], -r["total"]) for r in rows]


def calculation_list(*, plan: Plan) -> QuerySet[Calculation]:
    t = plan.tenant_id
    credits = Credit.objects.filter(tenant_id=t, calculation=OuterRef("pk")).order_by().values("calculation")
    rewards = Reward.objects.filter(tenant_id=t, calculation=OuterRef("pk")).order_by().values("calculation")
    return (
        Calculation.objects.filter(tenant_id=t, plan=plan)
        .select_related("created_by")
        .annotate(
            credit_count=Subquery(credits.annotate(n=Count("pk")).values("n")[:1]),
            reward_count=Subquery(rewards.annotate(n=Count("pk")).values("n")[:1]),
            reward_total=Subquery(rewards.annotate(s=Sum("amount")).values("s")[:1]),
        )
        .order_by("-period_start", "-id")
    )


def credit_list(*, plan: Plan) -> QuerySet[Credit]:
    return (
        Credit.objects.filter(tenant_id=plan.tenant_id, plan=plan)
        .select_related("transaction", "user", "team", "calculation")
        .order_by("-transaction__date", "-id")
    )


def reward_list(*, plan: Plan) -> QuerySet[Reward]:
    return (
        Reward.objects.filter(tenant_id=plan.tenant_id, plan=plan)
        .select_related("user", "calculation")
        .order_by("-created_at", "-id")
    )


def released_rewards_of_user(*, tenant: Tenant, user: User) -> QuerySet[Reward]:
    return (
        Reward.objects.filter(tenant=tenant, user=user, released=True)
        .select_related("plan", "calculation")
        .order_by("-released_at", "-id")
    )


def team_list(*, tenant: Tenant) -> QuerySet[Team]:
    members = TeamMember.objects.filter(tenant=tenant, team=OuterRef("pk")).order_by().values("team")
    return (
        Team.objects.filter(tenant=tenant)
        .annotate(member_count=Subquery(members.annotate(n=Count("pk")).values("n")[:1]))
        .order_by("name")
    )


def team_members(*, team: Team) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(tenant_id=team.tenant_id, team=team).select_related("user").order_by("user__email")


def transactions_in_period(*, tenant: Tenant, start, end) -> QuerySet[SalesTransaction]:
    return SalesTransaction.objects.filter(tenant=tenant, date__gte=start, date__lte=end)
