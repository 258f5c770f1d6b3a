"""Users > All Users, the user page (Overview tab: profile, Balance, Clear), a rep's own balance,
assigning recoverable rewards, recoverable draws and Export All."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from activity.links import Link
from common.built_once import built_once
from common.export import EXPORT_FORMATS, export_response
from common.money import CENT
from common.permissions import capability_required
from common.precompiled import TENANT_MARKER
from common.preread import PrereadFirstPage
from common.templatetags.portal import money, us_datetime
from common.views import ConfirmActionView, TenantListView
from tenancy.capabilities import Capability
from tenancy.models import Tenant

from . import selectors, services
from .filters import UserFilter
from .forms import RecoverableDrawForm, RecoverableRewardForm
from .tables import UserTable, owed_columns

REWARDS_SHOWN = 100
CLEARED_SHOWN = 50
CLEARS_SHOWN = 20


def _user_url(request, membership_id) -> str:
    return reverse("balances:user_detail", kwargs={"tenant_slug": request.tenant.slug, "membership_id": membership_id})


def export_rows(queryset, currencies: list[str]):
    """Export All rows straight from the database (no per-row objects): email, name, role,
    active flag and the owed balance per currency, streamed in chunks."""
    fields = ["user__email", "user__full_name", "role__name", "is_active"]
    fields += [selectors.owed_field(c) for c in currencies]
    header = ["Email", "Name", "Role", "Active", *(f"Owed balance {c}" for c in currencies)]

    def rows():
        for email, name, role, active, *owed in queryset.values_list(*fields).iterator(chunk_size=2000):
            # SQLite sums come back as 750 or 0: export cents, as PostgreSQL does.
            yield [email, name, role, "Yes" if active else "No", *(Decimal(v).quantize(CENT) for v in owed)]

    return header, rows()


class _EveryMember:
    """The paginator's ``count_from`` for the unfiltered list: counted only if it is asked."""

    def __init__(self, tenant):
        self.tenant = tenant

    def count(self) -> int:
        return selectors.member_count(tenant=self.tenant)


@built_once()
def _members_with_owed_balances(tenant_id: int, currencies: tuple[str, ...], *, every_row: bool):
    """Every member with the owed balance per currency: building the sums' subqueries cost an
    eighth of the page, for the same query each time."""
    tenant = Tenant(pk=tenant_id)
    members = selectors.members(tenant=tenant)
    return selectors.with_owed_balances(members, tenant=tenant, currencies=list(currencies), every_row=every_row)


class UserListView(PrereadFirstPage, TenantListView):
    """Users > All Users: search, filter by role and active flag, sort by any column including
    the owed balance, paginate. Queries: currencies in use, count, one page (whatever N).

    The filters narrow the members; the owed balances are added to the filtered rows
    (``table_queryset``), summed for every row only when the page is sorted by one."""

    capability = Capability.MANAGE_USERS
    keeps_regions = True  # common.regions
    title = "All Users"
    table_class = UserTable
    filterset_class = UserFilter
    export_name = "users"
    template_name = "balances/user_list.html"

    # The list as it opens: its first page read by a statement compiled once (common.preread),
    # per set of currencies in use (a column each).
    opening_markers = {"tenant_id": TENANT_MARKER}

    @classmethod
    def opening_queryset(cls, shape, *, tenant_id):
        return _members_with_owed_balances(tenant_id, shape, every_row=False)

    def opening_shape(self) -> tuple:
        return tuple(self.currencies())

    def currencies(self) -> list[str]:
        if not hasattr(self, "_currencies"):
            self._currencies = selectors.currencies_in_use(tenant=self.request.tenant)
        return self._currencies

    def get_base_queryset(self):
        return selectors.members(tenant=self.request.tenant)

    def table_queryset(self, queryset, *, every_row: bool = False):
        every_row = every_row or self.sorted_by_balance()
        if self.lists_every_row():  # no filter: the members' queryset with its sums, built once
            return _members_with_owed_balances(self.request.tenant.pk, tuple(self.currencies()), every_row=every_row)
        return selectors.with_owed_balances(
            queryset, tenant=self.request.tenant, currencies=self.currencies(), every_row=every_row
        )

    def sorted_by_balance(self) -> bool:
        """Whether the table's order starts with an owed balance: django-tables2 orders by the
        first ``sort`` value (a comma list, or the parameter repeated)."""
        values = self.request.GET.getlist(self.get_table_class()._meta.order_by_field)
        first = values[0].split(",")[0].strip() if values else ""
        return first.lstrip("-") in self.owed_fields()

    def owed_fields(self) -> set[str]:
        return {selectors.owed_field(c) for c in self.currencies()}

    def get_table_pagination(self, table):
        # When a count is needed (a full first page, any other page): the filtered members'
        # COUNT, without the sums joined to them (SQLite would join them to count: 54 ms
        # instead of 4 at 100,000 users).
        paginate = super().get_table_pagination(table)
        if self.lists_every_row():  # every member: counted by a statement compiled once
            return {**paginate, "count_from": _EveryMember(self.request.tenant)}
        return {**paginate, "count_from": self.object_list}

    def get_table_kwargs(self):
        return {"extra_columns": owed_columns(self.currencies())}

    def get_template_names(self):
        names = super().get_template_names()
        # The table partial lives in the shared list template this page extends.
        return ["components/list_page.html#table"] if names[0].endswith("#table") else names

    def export(self, fmt: str):
        """The filtered, sorted rows (the toolbar's Export buttons)."""
        table = self.export_table(**self.get_table_kwargs())
        header, rows = export_rows(table.data.data, self.currencies())
        return export_response(fmt, self.export_name, header, rows, tenant=self.request.tenant)


@capability_required(Capability.MANAGE_USERS)
def user_export(request, tenant_slug):
    """Users > Overview > Export All: every user of the workspace with the owed balance per
    currency in use, as CSV (streamed) or XLSX (written row by row), in bounded memory."""
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    currencies = selectors.currencies_in_use(tenant=request.tenant)
    queryset = selectors.user_list(tenant=request.tenant, currencies=currencies, every_row=True)
    header, rows = export_rows(queryset, currencies)
    return export_response(fmt, "users-balances", header, rows, tenant=request.tenant)


def _overview(request, member, *, manage: bool) -> dict:
    tenant = request.tenant
    balance = selectors.balance_of_user(tenant=tenant, user=member.user)
    return {
        "title": member.user.get_full_name(),
        "member": member,
        "balance": balance,
        "rewards": list(selectors.recoverable_rewards(tenant=tenant, user=member.user)[:REWARDS_SHOWN]),
        "rewards_shown": REWARDS_SHOWN,
        "cleared": list(selectors.cleared_rewards(tenant=tenant, user=member.user)[:CLEARED_SHOWN]),
        "cleared_shown": CLEARED_SHOWN,
        "clears": list(selectors.clears_of_user(tenant=tenant, user=member.user)[:CLEARS_SHOWN]),
        "manage": manage,
    }


@capability_required(Capability.MANAGE_USERS)
def user_detail(request, tenant_slug, membership_id):
    """The user page, Overview tab: profile facts, Balance per currency with Clear, the
    recoverable rewards behind it and the Cleared history. A fixed number of queries."""
    member = selectors.access_member(tenant=request.tenant, membership_id=membership_id)
    return render(request, "balances/user_detail.html", _overview(request, member, manage=True))


@capability_required(Capability.MY_PLANS)
def my_balance(request, tenant_slug):
    """A sales rep's own balance and the rewards behind it; nothing of anyone else."""
    member = selectors.member_of(tenant=request.tenant, user=request.user)
    ctx = _overview(request, member, manage=False)
    ctx["title"] = "My balance"
    return render(request, "balances/user_detail.html", ctx)


class BalanceClearView(ConfirmActionView):
    """Clear under Balance: confirm (stating the amount and the count), then clear."""

    capability = Capability.CLEAR_BALANCES
    title = "Clear balance"
    confirm_label = "Clear"

    def get_object(self):
        return selectors.access_member(tenant=self.request.tenant, membership_id=self.kwargs["membership_id"])

    def describe(self, member) -> str:
        balance = selectors.balance_of_user(tenant=self.request.tenant, user=member.user)
        name = member.user.get_full_name()
        if not balance.lines:
            return f"{name} has no recoverable rewards: there is nothing to clear."
        amounts = services.describe_totals((line.currency, line.total) for line in balance.lines)
        count = balance.count
        return (
            f"Clear the balance of {name}: {amounts} from {count} recoverable reward{'s' if count != 1 else ''}? "
            "They become non-recoverable (kept, not deleted) and the balance becomes 0."
        )

    def perform(self, member) -> str:
        result = services.clear_balance(member.user, tenant=self.request.tenant, actor=self.request.user)
        name = member.user.get_full_name()
        if not result.count:
            return f"Nothing to clear: the balance of {name} was already 0."
        plural = "s" if result.count != 1 else ""
        return (
            f"Cleared {result.count} recoverable reward{plural} of {name} "
            f"({services.describe_totals(result.totals)}). The balance is now 0."
        )

    def get_success_url(self, member) -> str:
        return _user_url(self.request, member.pk)


class UndoClearView(ConfirmActionView):
    """Undo clear: the dialog lists what comes back per currency and the balance before and
    after; confirming makes the Clear's rewards recoverable again."""

    capability = Capability.CLEAR_BALANCES
    title = "Undo clear"
    confirm_label = "Undo clear"
    danger = False

    def get_object(self):
        return selectors.access_clear(tenant=self.request.tenant, clear_id=self.kwargs["clear_id"])

    def restorable(self, clear):
        if not hasattr(self, "_restorable"):  # the message and the details share one query
            self._restorable = selectors.clear_restorable(clear=clear)
        return self._restorable

    def refusal(self, clear) -> str:
        if clear.undone_at is not None:
            by = f" by {clear.undone_by.get_full_name()}" if clear.undone_by else ""
            return f"Clear #{clear.pk} was already undone on {us_datetime(clear.undone_at)}{by}: nothing to undo."
        return ""

    def describe(self, clear) -> str:
        lines = self.restorable(clear)
        name = clear.user.get_full_name()
        count = sum(line.count for line in lines)
        if not count:
            return (
                f"Every reward of Clear #{clear.pk} has been deleted since (with its plan or calculation): "
                f"undoing it only marks it undone; the balance of {name} does not change."
            )
        amounts = services.describe_totals((line.currency, line.total) for line in lines)
        return (
            f"Undo Clear #{clear.pk} of {name} ({us_datetime(clear.cleared_at)})? "
            f"{count} reward{'s' if count != 1 else ''} become{'s' if count == 1 else ''} recoverable again: {amounts}."
        )

    def details(self, clear) -> list[str]:
        lines = self.restorable(clear)
        balance = selectors.balance_of_user(tenant=self.request.tenant, user=clear.user)
        currencies = sorted({line.currency for line in lines} | {line.currency for line in balance.lines})
        restored = {line.currency: line.total for line in lines}
        details = [
            f"Balance in {c}: {money(balance.total(c), c)} now, {money(balance.total(c) + restored.get(c, 0), c)} after"
            for c in currencies
        ]
        if missing := clear.count - sum(line.count for line in lines):
            details.append(
                f"{missing} of the {clear.count} cleared rewards were deleted since (with their plan or "
                "calculation): they do not come back."
            )
        return details

    def perform(self, clear) -> str:
        result = services.undo_clear_balance(clear, actor=self.request.user)
        if result.already_undone:
            return f"Clear #{clear.pk} was already undone: nothing changed."
        text = f"Undid Clear #{clear.pk}: {result.restored} reward{'s' if result.restored != 1 else ''} owed again"
        text += f" ({services.describe_totals(result.totals)})." if result.totals else "."
        if result.deleted_since:
            text += f" {result.deleted_since} had been deleted since."
        return text

    def get_success_url(self, clear) -> str:
        member = selectors.member_of(tenant=self.request.tenant, user=clear.user)
        if member is None:
            return reverse("balances:user_list", kwargs={"tenant_slug": self.request.tenant.slug})
        return _user_url(self.request, member.pk)


def clear_links(entry) -> list[Link]:
    """A Clear's activity entry offers Undo clear (its page says when it was undone already)."""
    clear = (entry.changes or {}).get("clear")
    if not clear:
        return []
    url = reverse("balances:undo_clear", kwargs={"tenant_slug": entry.tenant.slug, "clear_id": clear})
    return [Link(f"Undo clear #{clear}", url)]


def _form_page(request, form, title, back, submit_label, intro=""):
    ctx = {"form": form, "title": title, "cancel_url": back, "submit_label": submit_label, "intro": intro}
    return render(request, "balances/form_page.html", ctx)


@capability_required(Capability.MANAGE_USERS)
def reward_add(request, tenant_slug, membership_id):
    """Assign a recoverable reward (advance or repayment) from the user page, with a reason."""
    member = selectors.access_member(tenant=request.tenant, membership_id=membership_id)
    back = _user_url(request, member.pk)
    form = RecoverableRewardForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reward = services.assign_recoverable_reward(
                member.user,
                tenant=request.tenant,
                actor=request.user,
                amount=form.signed_amount(),
                currency=data["currency"],
                reason=data["reason"],
                plan=data["plan"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            kind = "advance" if reward.amount > 0 else "repayment"
            messages.success(
                request, f"Added a recoverable {kind} of {services.describe_totals({reward.currency: reward.amount})}."
            )
            return redirect(back)
    title = f"Recoverable reward for {member.user.get_full_name()}"
    return _form_page(request, form, title, back, "Add reward")


@capability_required(Capability.MANAGE_USERS)
def draw_add(request, tenant_slug):
    """A recoverable draw on a plan: a recoverable advance to each of its beneficiaries."""
    back = reverse("balances:user_list", kwargs={"tenant_slug": tenant_slug})
    form = RecoverableDrawForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.draw_recoverable(
                data["plan"], actor=request.user, amount=data["amount"], reason=data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            text = f"Paid the draw to {result.paid} beneficiar{'ies' if result.paid != 1 else 'y'} of {data['plan']}."
            if result.already_paid:
                text += f" {result.already_paid} had it already."
            messages.success(request, text)
            return redirect(back)
    intro = "Every beneficiary of the plan receives the amount as a recoverable advance, in the plan's currency."
    return _form_page(request, form, "Recoverable draw", back, "Pay draw", intro)
