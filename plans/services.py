"""Writes on plans, their terms, teams, beneficiaries, calculations, credits and rewards.

One function per user action; each atomic, validated, recorded in the activity log, and safe to
call twice."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common.money import CENT
from common.services import model_update
from tenancy.models import Tenant, User

from .models import (
    Calculation,
    CalculationStatus,
    Credit,
    Plan,
    PlanBeneficiary,
    PlanDocument,
    Reward,
    SalesTransaction,
    Team,
    TeamMember,
)
from .selectors import (
    balance_changes_of_deletion,
    beneficiary_users,
    calculation_deletion_counts,
    current_document,
    plan_deletion_counts,
)

PLAN_FIELDS = [
    "name",
    "description",
    "period_start",
    "period_end",
    "currency",
    "status",
    "legally_protected",
    "enrollment_option",
    "commission_rate",
]


@transaction.atomic
def plan_create(*, tenant: Tenant, actor: User | None, terms: str = "", **data) -> Plan:
    plan = Plan(tenant=tenant, created_by=actor, **{k: v for k, v in data.items() if k in PLAN_FIELDS})
    plan.full_clean()
    plan.save()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target=plan,
        changes={f: [None, _plain(getattr(plan, f))] for f in ("status", "enrollment_option", "currency")},
    )
    if terms.strip():
        plan_document_publish(plan=plan, actor=actor, body=terms)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor: User | None, data: dict) -> Plan:
    """Save changed fields; changed terms become a new document version."""
    plan, updated, changes = model_update(instance=plan, fields=PLAN_FIELDS, data=data)
    if updated:
        record(tenant=plan.tenant, actor=actor, action=Action.UPDATE, target=plan, changes=changes)
    if "terms" in data:
        plan_document_publish(plan=plan, actor=actor, body=data["terms"])
    return plan


@transaction.atomic
def plan_document_publish(*, plan: Plan, actor: User | None, body: str, title: str = "") -> PlanDocument | None:
    """A new version of the plan's terms, unless the text is unchanged (then nothing happens)."""
    body = body.strip()
    latest = current_document(plan=plan)
    if not body or (latest is not None and latest.body == body):
        return None
    version = (latest.version if latest else 0) + 1
    document = PlanDocument(
        tenant_id=plan.tenant_id,
        plan=plan,
        version=version,
        title=title or f"{plan.name} terms",
        body=body,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    record(
        tenant=plan.tenant,
        actor=actor,
        action=Action.CREATE,
        target=document,
        verb="publish terms",
        label=f"{plan.name} v{version}",
    )
    return document


@transaction.atomic
def plan_delete(*, plan: Plan, actor: User | None) -> dict[str, int]:
    """Delete the plan with its calculations, credits, rewards, beneficiaries and enrollments.
    Returns the counts (also in the activity entry, with the owed balances that change)."""
    counts = plan_deletion_counts(plan=plan)
    balances = balance_changes_of_deletion(plan=plan)
    plan_id, label, tenant = plan.pk, plan.name, plan.tenant
    plan.delete()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.DELETE,
        target="Plan",
        label=label,
        object_ids=[plan_id],
        count=1,
        changes=_deletion_changes(counts, balances),
    )
    return counts


def _deletion_changes(counts: dict[str, int], balances) -> dict:
    changes: dict = {k: [v, 0] for k, v in counts.items()}
    if balances:
        changes["owed balances"] = [str(change) for change in balances]
    return changes


# Teams -----------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, tenant: Tenant, actor: User | None, name: str, users: Iterable[User] = ()) -> Team:
    team = Team(tenant=tenant, name=name.strip())
    team.full_clean()
    team.save()
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=team)
    team_members_set(team=team, actor=actor, users=users)
    return team


@transaction.atomic
def team_update(*, team: Team, actor: User | None, name: str, users: Iterable[User]) -> Team:
    team, updated, changes = model_update(instance=team, fields=["name"], data={"name": name.strip()})
    if updated:
        record(tenant=team.tenant, actor=actor, action=Action.UPDATE, target=team, changes=changes)
    team_members_set(team=team, actor=actor, users=users)
    return team


def _emails(user_ids) -> list[str]:
    return sorted(User.objects.filter(pk__in=list(user_ids)).values_list("email", flat=True)) if user_ids else []


@transaction.atomic
def team_members_set(*, team: Team, actor: User | None, users: Iterable[User]) -> tuple[int, int]:
    """Make the team's members exactly ``users``; returns (added, removed)."""
    users = list(users)
    wanted = {u.pk for u in users}
    current = set(TeamMember.objects.filter(tenant_id=team.tenant_id, team=team).values_list("user_id", flat=True))
    to_add, to_remove = wanted - current, current - wanted
    if to_remove:
        TeamMember.objects.filter(tenant_id=team.tenant_id, team=team, user_id__in=to_remove).delete()
    TeamMember.objects.bulk_create(
        [TeamMember(tenant_id=team.tenant_id, team=team, user_id=uid) for uid in sorted(to_add)]
    )
    if to_add or to_remove:
        record(
            tenant=team.tenant,
            actor=actor,
            action=Action.UPDATE,
            target=team,
            verb="change team members",
            changes={"added members": _emails(to_add), "removed members": _emails(to_remove)},
            count=len(to_add) + len(to_remove),
        )
    return len(to_add), len(to_remove)


# Beneficiaries ---------------------------------------------------------------------------------


@transaction.atomic
def beneficiaries_add(*, plan: Plan, actor: User | None, users: Iterable[User] = (), teams: Iterable[Team] = ()) -> int:
    """Assign users and teams to the plan; those already assigned are left alone. Returns how
    many entries were added."""
    t = plan.tenant_id
    existing = PlanBeneficiary.objects.filter(tenant_id=t, plan=plan)
    have_users = set(existing.filter(user__isnull=False).values_list("user_id", flat=True))
    have_teams = set(existing.filter(team__isnull=False).values_list("team_id", flat=True))
    now = timezone.now()
    rows = [
        PlanBeneficiary(tenant_id=t, plan=plan, user_id=u.pk, added_at=now, added_by=actor)
        for u in {u.pk: u for u in users}.values()
        if u.pk not in have_users
    ] + [
        PlanBeneficiary(tenant_id=t, plan=plan, team_id=tm.pk, added_at=now, added_by=actor)
        for tm in {tm.pk: tm for tm in teams}.values()
        if tm.pk not in have_teams
    ]
    if not rows:
        return 0
    PlanBeneficiary.objects.bulk_create(rows, batch_size=1000)
    record(
        tenant=plan.tenant,
        actor=actor,
        action=Action.CREATE,
        target="PlanBeneficiary",
        verb="add beneficiaries",
        label=plan.name,
        count=len(rows),
        object_ids=[r.user_id or f"team:{r.team_id}" for r in rows],
    )
    return len(rows)


@transaction.atomic
def beneficiary_remove(*, beneficiary: PlanBeneficiary, actor: User | None) -> None:
    label = f"{beneficiary} from {beneficiary.plan.name}"
    record(
        tenant=beneficiary.plan.tenant,
        actor=actor,
        action=Action.DELETE,
        target=beneficiary,
        verb="remove beneficiary",
        label=label,
    )
    beneficiary.delete()


# Calculations, credits, rewards ----------------------------------------------------------------


@transaction.atomic
def calculation_run(
    *, plan: Plan, actor: User | None, period_start: date, period_end: date, name: str = ""
) -> Calculation:
    """Credit the period's transactions to the plan's beneficiaries and compute their rewards.

    A transaction counts when it is in the plan's currency and its rep (or team) is a beneficiary;
    a team credit rewards every beneficiary member of the team. Rewards are ``commission_rate``
    percent of the credited amounts. Periods of one plan's calculations may not overlap (a sale
    would be paid twice)."""
    plan = Plan.objects.select_for_update().get(tenant_id=plan.tenant_id, pk=plan.pk)
    calculation = Calculation(
        tenant_id=plan.tenant_id,
        plan=plan,
        name=name or f"{plan.name} {period_start:%m/%d/%Y}–{period_end:%m/%d/%Y}",
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
    )
    calculation.full_clean()
    if period_start < plan.period_start or period_end > plan.period_end:
        raise ValidationError({"period_end": "The calculation period must lie within the plan's period."})
    overlapping = Calculation.objects.filter(
        tenant_id=plan.tenant_id, plan=plan, period_start__lte=period_end, period_end__gte=period_start
    )
    if overlapping.exists():
        raise ValidationError({"period_start": "Another calculation of this plan covers part of this period."})
    calculation.save()

    t = plan.tenant_id
    members = set(beneficiary_users(plan=plan).values_list("pk", flat=True))
    plan_teams = set(
        PlanBeneficiary.objects.filter(tenant_id=t, plan=plan, team__isnull=False).values_list("team_id", flat=True)
    )
    team_members: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in TeamMember.objects.filter(tenant_id=t, team_id__in=plan_teams).values_list(
        "team_id", "user_id"
    ):
        if user_id in members:
            team_members[team_id].append(user_id)

    sales = SalesTransaction.objects.filter(
        tenant_id=t, date__gte=period_start, date__lte=period_end, currency=plan.currency
    ).filter(Q(rep_id__in=members) | Q(team_id__in=plan_teams))
    credits, credited = [], defaultdict(Decimal)
    for sale in sales.only("pk", "amount", "rep_id", "team_id").order_by("pk"):
        if sale.rep_id in members:
            credits.append(_credit(calculation, sale, user_id=sale.rep_id))
            credited[sale.rep_id] += sale.amount
        if sale.team_id in plan_teams:
            credits.append(_credit(calculation, sale, team_id=sale.team_id))
            for user_id in team_members[sale.team_id]:
                credited[user_id] += sale.amount
    Credit.objects.bulk_create(credits, batch_size=1000)

    rate = plan.commission_rate / Decimal(100)
    rewards = [
        Reward(
            tenant_id=t,
            plan=plan,
            calculation=calculation,
            user_id=user_id,
            amount=(amount * rate).quantize(CENT, rounding=ROUND_HALF_UP),
            currency=plan.currency,
            reason=f"{plan.commission_rate.normalize()}% of {plan.currency} {amount:,.2f} credited",
            created_by=actor,
        )
        for user_id, amount in sorted(credited.items())
    ]
    Reward.objects.bulk_create(rewards, batch_size=1000)
    record(
        tenant=plan.tenant,
        actor=actor,
        action=Action.CREATE,
        target=calculation,
        verb="run calculation",
        count=len(credits) + len(rewards),
        changes={"credits": [0, len(credits)], "rewards": [0, len(rewards)]},
    )
    return calculation


def _credit(calculation: Calculation, sale: SalesTransaction, *, user_id=None, team_id=None) -> Credit:
    return Credit(
        tenant_id=calculation.tenant_id,
        plan_id=calculation.plan_id,
        calculation=calculation,
        transaction=sale,
        user_id=user_id,
        team_id=team_id,
        amount=sale.amount,
        currency=calculation.plan.currency,
        created_at=calculation.calculated_at,
    )


@transaction.atomic
def calculation_release(*, calculation: Calculation, actor: User | None) -> int:
    """Release the calculation: its credits and rewards appear on the beneficiaries' pages.
    Returns how many rewards were released (0 the second time)."""
    t = calculation.tenant_id
    calc = Calculation.objects.select_for_update().get(tenant_id=t, pk=calculation.pk)
    if calc.status == CalculationStatus.RELEASED:
        return 0
    now = timezone.now()
    calc.status, calc.released_at = CalculationStatus.RELEASED, now
    calc.save(update_fields=["status", "released_at"])
    Credit.objects.filter(tenant_id=t, calculation=calc).update(released=True)
    released = Reward.objects.filter(tenant_id=t, calculation=calc, released=False).update(
        released=True, released_at=now
    )
    record(
        tenant=calc.plan.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=calc,
        verb="release calculation",
        count=released,
        changes={"status": ["calculated", "released"]},
    )
    calculation.status, calculation.released_at = calc.status, calc.released_at
    return released


@transaction.atomic
def calculation_delete(*, calculation: Calculation, actor: User | None) -> dict[str, int]:
    """Delete the calculation with its credits and rewards; returns their counts."""
    counts = calculation_deletion_counts(calculation=calculation)
    balances = balance_changes_of_deletion(plan=calculation.plan, calculation=calculation)
    calc_id, label, tenant = calculation.pk, calculation.name, calculation.plan.tenant
    Reward.objects.filter(tenant=tenant, calculation_id=calc_id).delete()
    Credit.objects.filter(tenant=tenant, calculation_id=calc_id).delete()
    calculation.delete()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.DELETE,
        target="Calculation",
        label=label,
        object_ids=[calc_id],
        count=1,
        changes=_deletion_changes(counts, balances),
    )
    return counts


def next_calculation_period(*, plan: Plan) -> tuple[date, date]:
    """A sensible default for the next run: from the day after the last one to the plan's end."""
    last = Calculation.objects.filter(tenant_id=plan.tenant_id, plan=plan).aggregate(m=Max("period_end"))["m"]
    start = plan.period_start if last is None else min(plan.period_end, date.fromordinal(last.toordinal() + 1))
    return start, plan.period_end


def _plain(value):
    return value if isinstance(value, (str, int, bool)) or value is None else str(value)
