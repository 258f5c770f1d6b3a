"""Writes on recoverable balances: assign an advance or a repayment, pay a recoverable draw on a
plan, and Clear a user's balance. The rewards themselves are the plans app's ``Reward`` rows; a
reward counts toward the owed balance while ``recoverable`` is true."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import StringAgg, Sum, Value
from django.utils import timezone

from activity.services import record
from common.money import CENT
from common.templatetags.portal import money
from plans.models import Plan, Reward
from plans.selectors import beneficiary_users
from tenancy.models import Membership, Tenant, User

from .models import BalanceClear


@dataclass(frozen=True)
class ClearResult:
    """What a Clear changed: how many rewards, the amount per currency, and which rewards."""

    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    reward_ids: list[int] = field(default_factory=list)
    clear_id: int | None = None


def _check_member(tenant: Tenant, user: User) -> None:
    if not Membership.objects.filter(tenant=tenant, user=user).exists():
        raise ValidationError({"user": "This person is not a member of the workspace."})


@transaction.atomic
def assign_recoverable_reward(
    user: User,
    *,
    tenant: Tenant,
    actor: User | None,
    amount: Decimal,
    currency: str,
    reason: str,
    plan: Plan | None = None,
) -> Reward:
    """Give ``user`` a recoverable reward: a positive amount is an advance (the user owes it), a
    negative one a repayment (it reduces what they owe)."""
    errors = {}
    if amount == 0:
        errors["amount"] = "An advance or a repayment cannot be zero."
    if not reason.strip():
        errors["reason"] = "Say why (it is shown with the balance)."
    if plan is not None and plan.tenant_id != tenant.pk:
        errors["plan"] = "Choose a plan of this workspace."
    if errors:
        raise ValidationError(errors)
    _check_member(tenant, user)
    now = timezone.now()
    reward = Reward(
        tenant=tenant,
        user=user,
        plan=plan,
        amount=amount,
        currency=currency,
        recoverable=True,
        released=True,  # an advance is paid out when it is assigned
        released_at=now,
        reason=reason.strip(),
        created_at=now,
        created_by=actor,
    )
    reward.full_clean(exclude=["user", "plan", "calculation", "created_by", "cleared_by"])
    reward.save()
    kind = "advance" if amount > 0 else "repayment"
    record(
        tenant=tenant,
        actor=actor,
        action="create",
        target=reward,
        verb=f"assign recoverable {kind}",
        changes={
            "user": [None, user.email],
            "amount": [None, str(amount)],
            "currency": [None, currency],
            "reason": [None, reward.reason],
        },
        label=f"Recoverable {kind} {currency} {amount} to {user.email}",
    )
    return reward


@dataclass(frozen=True)
class DrawResult:
    paid: int
    already_paid: int


@transaction.atomic
def draw_recoverable(plan: Plan, *, actor: User | None, amount: Decimal, reason: str) -> DrawResult:
    """Pay a recoverable draw on ``plan``: one recoverable reward of ``amount`` (plan currency) to
    every beneficiary. A draw is identified by its plan and reason, so submitting the same draw
    again pays nobody twice."""
    errors = {}
    if amount <= 0:
        errors["amount"] = "A draw is an advance: enter a positive amount."
    if not reason.strip():
        errors["reason"] = "Name the draw (e.g. “November 2026 draw”)."
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    tenant = plan.tenant
    Plan.objects.select_for_update().filter(tenant=tenant, pk=plan.pk).first()  # one draw at a time per plan
    users = list(beneficiary_users(plan=plan).values_list("pk", flat=True))
    paid_before = set(
        Reward.objects.filter(tenant=tenant, plan=plan, reason=reason, user_id__in=users).values_list(
            "user_id", flat=True
        )
    )
    now = timezone.now()
    rewards = Reward.objects.bulk_create(
        [
            Reward(
                tenant=tenant,
                plan=plan,
                user_id=user_id,
                amount=amount,
                currency=plan.currency,
                recoverable=True,
                released=True,
                released_at=now,
                reason=reason,
                created_at=now,
                created_by=actor,
            )
            for user_id in users
            if user_id not in paid_before
        ],
        batch_size=1000,
    )
    if rewards:
        record(
            tenant=tenant,
            actor=actor,
            action="create",
            target="Reward",
            verb="pay recoverable draw",
            count=len(rewards),
            object_ids=[r.pk for r in rewards],
            changes={"plan": plan.name, "amount": f"{plan.currency} {amount}", "reason": reason},
            label=f"Recoverable draw “{reason}” on {plan.name}",
        )
    return DrawResult(paid=len(rewards), already_paid=len(paid_before))


def _lock_member(tenant: Tenant, user: User) -> None:
    """Lock the user's membership row: Clear and Undo clear of one user then run one after the
    other on PostgreSQL as on SQLite (which serializes writers anyway). Locking only rewards
    would not do, since each changes rows the other does not lock (a Clear starting during an
    undo would miss the rewards the undo brings back, having read them as non-recoverable)."""
    Membership.objects.select_for_update().filter(tenant=tenant, user=user).values_list("pk").first()


# Rewards a Clear changed, by (currency, amount): the ids of each. One entry per amount, not per
# reward: a Clear of 10,000 rewards of a few amounts handles a few groups.
Cleared = dict[tuple[str, Decimal], list[int]]


@transaction.atomic
def clear_balance(user: User, *, tenant: Tenant, actor: User | None) -> ClearResult:
    """Clear under Balance: mark every recoverable reward of ``user`` non-recoverable.

    Nothing is deleted; the rewards keep their amounts and get ``cleared_at``/``cleared_by``. One
    UPDATE marks them and the rows it changed are known exactly (ids, amounts, currencies), so
    the activity entry and the totals name the very rewards cleared, a reward created meanwhile
    included or not, never half of each; no list of ids travels to the database. A second Clear
    finds nothing and changes nothing."""
    _lock_member(tenant, user)
    recoverable = Reward.objects.filter(tenant=tenant, user=user, recoverable=True)
    # SQLite transactions are serializable (one writer at a time; this one has held the write
    # lock since BEGIN IMMEDIATE), so the rewards read here are exactly those the UPDATE then
    # changes. Read one row per amount, they spare the UPDATE its RETURNING clause, which costs
    # SQLite a trigger step and Python a converted row per reward (a third of a 10,000-reward
    # Clear). Elsewhere the UPDATE … RETURNING itself reports its rows.
    known = _recoverable_by_amount(recoverable) if connection.vendor == "sqlite" else None
    if not (known if known is not None else recoverable.exists()):
        return ClearResult()
    now = timezone.now()
    clear = BalanceClear.objects.create(tenant=tenant, user=user, cleared_at=now, cleared_by=actor)
    cleared = _clear_returning(tenant=tenant, user=user, actor=actor, now=now, clear_id=clear.pk, known=known)
    labels: dict[int, str] = {}  # reward id → "USD 100.00"
    totals: dict[str, Decimal] = {}
    for (currency, amount), pks in cleared.items():
        labels.update(dict.fromkeys(pks, f"{currency} {amount}"))
        totals[currency] = totals.get(currency, Decimal("0")) + amount * len(pks)
    ids = sorted(labels)
    stored_totals = {currency: str(total) for currency, total in sorted(totals.items())}
    BalanceClear.objects.filter(tenant=tenant, pk=clear.pk).update(count=len(ids), totals=stored_totals)
    record(
        tenant=tenant,
        actor=actor,
        action="update",
        target="Reward",
        verb="clear balance",
        count=len(ids),
        object_ids=ids,
        changes={
            "recoverable": [True, False],
            "cleared": stored_totals,
            "cleared rewards": [f"#{pk} {labels[pk]}" for pk in ids],
            "clear": clear.pk,
        },
        label=f"Balance of {user.email}",
    )
    return ClearResult(count=len(ids), totals=dict(sorted(totals.items())), reward_ids=ids, clear_id=clear.pk)


def _recoverable_by_amount(recoverable) -> Cleared:
    """The rewards of ``recoverable`` by (currency, amount), the amount read by the ORM."""
    cleared: Cleared = {}
    rows = recoverable.order_by().values_list("currency", "amount").annotate(ids=StringAgg("id", Value(",")))
    for currency, amount, ids in rows:
        cleared[currency, amount] = list(map(int, ids.split(",")))
    return cleared


def _clear_returning(*, tenant, user, actor, now, clear_id, known: Cleared | None = None) -> Cleared:
    """UPDATE the user's recoverable rewards to cleared, and say which by (currency, amount):
    ``known`` when the caller read them in this transaction (SQLite, see ``clear_balance``),
    else from the UPDATE's RETURNING (id, amount, currency) of each, the amount read as the
    ORM reads it."""
    meta = Reward._meta
    qn = connection.ops.quote_name
    col = {
        name: qn(meta.get_field(name).column)
        for name in (
            "id",
            "amount",
            "currency",
            "recoverable",
            "cleared_at",
            "cleared_by",
            "clear_id",
            "tenant",
            "user",
        )
    }
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {col['recoverable']} = %s, {col['cleared_at']} = %s, "  # noqa: S608 - names from model meta
        f"{col['cleared_by']} = %s, {col['clear_id']} = %s "
        f"WHERE {col['tenant']} = %s AND {col['user']} = %s AND {col['recoverable']} = %s"
    )
    if known is None:
        sql += f" RETURNING {col['id']}, {col['amount']}, {col['currency']}"
    ops = connection.ops
    params = [
        False,
        ops.adapt_datetimefield_value(now),
        actor.pk if actor else None,
        clear_id,
        tenant.pk,
        user.pk,
        True,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if known is not None:
            return known
        rows = cursor.fetchall()
    amount = meta.get_field("amount").get_col(meta.db_table)
    converters = [*ops.get_db_converters(amount), *amount.get_db_converters(connection)]
    cleared: Cleared = {}
    for pk, value, currency in rows:
        for convert in converters:
            value = convert(value, amount, connection)
        cleared.setdefault((currency, value), []).append(pk)
    return cleared


@dataclass(frozen=True)
class UndoClearResult:
    """What an Undo clear did: how many rewards are recoverable again and for how much per
    currency, and how many of the Clear's rewards had been deleted since (they stay gone).
    ``already_undone`` when a previous undo did it all."""

    restored: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    deleted_since: int = 0
    already_undone: bool = False


@transaction.atomic
def undo_clear_balance(clear: BalanceClear, *, actor: User | None) -> UndoClearResult:
    """Undo one Clear: the rewards it made non-recoverable become recoverable again (back in the
    owed balance), except those deleted since with their plan or calculation.

    Locks the user's membership as Clear does, then the Clear, so Clear and Undo clear of a user,
    or two undos, run one after the other. The rewards are found by the Clear's id stamped on
    them, so exactly its rewards come back, whatever was cleared before or after. One UPDATE,
    one activity entry; undoing an undone Clear changes nothing and records nothing."""
    tenant, user = clear.tenant, clear.user
    _lock_member(tenant, user)
    clear = BalanceClear.objects.select_for_update().filter(tenant=tenant, pk=clear.pk).first()
    if clear is None or clear.undone_at is not None:
        return UndoClearResult(already_undone=True)
    # The UPDATE locks the rewards it changes; they keep the Clear's id, so the amounts that came
    # back are summed from exactly those rows afterwards, by the database, while still locked.
    restored = Reward.objects.filter(tenant=tenant, user=user, clear_id=clear.pk, recoverable=False).update(
        recoverable=True, cleared_at=None, cleared_by=None
    )
    deleted_since = max(clear.count - restored, 0)
    if deleted_since == 0:  # every reward came back: the amounts are those the Clear stored
        totals = {currency: Decimal(total).quantize(CENT) for currency, total in sorted(clear.totals.items())}
    else:  # some went with their plan or calculation: sum what did come back
        totals = {
            row["currency"]: Decimal(row["total"]).quantize(CENT)  # SQLite sums drop the trailing zeros
            for row in Reward.objects.filter(tenant=tenant, user=user, clear_id=clear.pk, recoverable=True)
            .order_by("currency")
            .values("currency")
            .annotate(total=Sum("amount"))
        }
    now = timezone.now()
    BalanceClear.objects.filter(tenant=tenant, pk=clear.pk).update(
        undone_at=now, undone_by=actor, restored=restored, deleted_since=deleted_since
    )
    # The rewards are those the Clear's own entry lists (less any deleted since): this entry
    # names the Clear rather than repeating thousands of ids.
    record(
        tenant=tenant,
        actor=actor,
        action="update",
        target="Reward",
        verb="undo clear balance",
        count=restored,
        changes={
            "recoverable": [False, True],
            "restored": {currency: str(total) for currency, total in sorted(totals.items())},
            "clear": clear.pk,
            "deleted_since": deleted_since,
        },
        label=f"Balance of {user.email}",
    )
    return UndoClearResult(restored=restored, totals=totals, deleted_since=deleted_since)


def describe_totals(totals: dict[str, Decimal] | Iterable) -> str:
    """``{"USD": 1250, "EUR": -20}`` → ``USD 1,250.00, EUR -20.00`` (for messages)."""
    items = totals.items() if isinstance(totals, dict) else totals
    return ", ".join(money(total, currency) for currency, total in items)
