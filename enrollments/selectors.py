"""Reads of enrollment status. Status views only ever see current acceptances (``reset_at`` is
null); the enrollment history sees them all."""

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from common.planner import reads_every_row
from common.precompiled import ID_MARKER, TENANT_MARKER, Precompiled, aggregate_query
from common.preread import page_statement
from plans.models import Plan, PlanBeneficiary, PlanDocument
from plans.selectors import beneficiary_users, plans_of_user
from tenancy.models import Tenant, User

from .models import EnrollmentReset, PlanEnrollment, TermsView


class Status:
    """The statuses a beneficiary can have, and the filter values of the Beneficiaries tab."""

    ENROLLED = "enrolled"
    NOT_ENROLLED = "not_enrolled"
    VIEWED = "viewed"
    NOT_VIEWED = "not_viewed"

    CHOICES = [
        (ENROLLED, "Enrolled"),
        (NOT_ENROLLED, "Not enrolled"),
        (VIEWED, "Terms viewed"),
        (NOT_VIEWED, "Terms not viewed"),
    ]


def current_enrollments(*, plan: Plan) -> QuerySet[PlanEnrollment]:
    return PlanEnrollment.objects.filter(tenant_id=plan.tenant_id, plan=plan, reset_at__isnull=True)


def current_enrollment(*, plan: Plan, user: User) -> PlanEnrollment | None:
    return current_enrollments(plan=plan).filter(user=user).select_related("document").first()


def enrollment_count_all(*, plan: Plan) -> int:
    """Every acceptance ever made in the plan, reset or not."""
    return PlanEnrollment.objects.filter(tenant_id=plan.tenant_id, plan=plan).count()


def _current(plan: Plan) -> FilteredRelation:
    """The user's current acceptance of the plan (at most one: a partial unique index)."""
    return FilteredRelation(
        "plan_enrollments",
        condition=Q(
            plan_enrollments__tenant_id=plan.tenant_id, plan_enrollments__plan=plan, plan_enrollments__reset_at=None
        ),
    )


def beneficiary_statuses(*, plan: Plan, status: str = "", search: str = "") -> QuerySet[User]:
    """The plan's beneficiaries, each with their current acceptance (``enrolled_at``,
    ``terms_version``, ``signature``), when they last viewed the terms (``last_viewed_at``),
    whether they are an active member, and their direct assignment if any. One query: each of
    these is a LEFT JOIN or a subquery on a unique key, so no row repeats."""
    t = plan.tenant_id
    qs = (
        beneficiary_users(plan=plan)
        .annotate(
            current=_current(plan),
            viewed=FilteredRelation(
                "plan_terms_views", condition=Q(plan_terms_views__tenant_id=t, plan_terms_views__plan=plan)
            ),
        )
        .annotate(
            enrolled_at=F("current__enrolled_at"),
            terms_document_id=F("current__document_id"),
            signature=F("current__signature"),
            last_viewed_at=F("viewed__last_viewed_at"),
            is_active_member=F("membership__is_active"),
            current_user_id=F("current__user_id"),
            viewed_user_id=F("viewed__user_id"),
        )
        # Read by key for the rows shown, not joined: neither filters the list, and each join
        # more made PostgreSQL's join search most of the statement's time (2.3 ms of planning
        # for 0.9 ms of execution at demo scale; 0.7 ms without these two). PostgreSQL evaluates
        # them after the sort, for the page's rows only.
        .annotate(
            terms_version=Subquery(
                PlanDocument.objects.filter(tenant_id=t, pk=OuterRef("terms_document_id"))
                .order_by()  # one row by its key: not the model's order (by plan name, a join)
                .values("version")[:1]
            ),
            direct_beneficiary_id=Subquery(
                PlanBeneficiary.objects.filter(tenant_id=t, plan=plan, user_id=OuterRef("pk")).values("pk")[:1]
            ),
        )
    )
    # Filter on the joined rows' key through an annotation: filtering on the (multi-valued)
    # relation again would join it a second time, and "key IS NULL" lets PostgreSQL plan an
    # anti-join with a sound row estimate.
    if status == Status.ENROLLED:
        qs = qs.filter(current_user_id__isnull=False)
    elif status == Status.NOT_ENROLLED:
        qs = qs.filter(current_user_id__isnull=True)
    elif status == Status.VIEWED:
        qs = qs.filter(viewed_user_id__isnull=False)
    elif status == Status.NOT_VIEWED:
        qs = qs.filter(viewed_user_id__isnull=True)
    if search:
        qs = qs.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    # Every beneficiary is read to sort them: hash joins only (common.planner).
    return reads_every_row(qs.order_by("full_name", "email"), tenant_id=plan.tenant_id)


def _status_page(status: str, start: int, stop: int):
    def build(tenant_id: int, plan_id: int) -> QuerySet[User]:
        return beneficiary_statuses(plan=Plan(pk=plan_id, tenant_id=tenant_id), status=status)[start:stop]

    return build


# The statements reading every beneficiary of a plan are prepared per plan on PostgreSQL
# (common.precompiled): a workspace's company-wide plan and a team's differ a thousandfold in
# size, and each is planned for its own.
PLAN_WRITTEN = ("plan_id",)


def beneficiary_status_page(*, plan: Plan, status: str, start: int, stop: int) -> list[User] | None:
    """``beneficiary_statuses(plan=, status=)[start:stop]`` (no search, the list's own order) read
    by a statement compiled once per status and page (``common.preread``): building and
    compiling it (a union, two filtered relations, two subqueries) was a third of the tab's
    time. None past the statements kept (the caller slices the queryset)."""
    key = ("beneficiary_statuses", status, start, stop)
    statement = page_statement(
        key, _status_page(status, start, stop), written=PLAN_WRITTEN, tenant_id=TENANT_MARKER, plan_id=ID_MARKER
    )
    return None if statement is None else statement(tenant_id=plan.tenant_id, plan_id=plan.pk)


def _enrollment_counts(tenant_id: int, plan_id: int) -> QuerySet:
    plan = Plan(pk=plan_id, tenant_id=tenant_id)
    return aggregate_query(
        reads_every_row(beneficiary_users(plan=plan).annotate(current=_current(plan)), tenant_id=tenant_id),
        total=Count("pk"),
        enrolled=Count("current__id"),
    )


# On every load of the Beneficiaries tab and the plan's Overview: compiled once (building and
# compiling it, a union and a filtered relation, cost 1.8 ms of CPU; running it 0.4 ms).
_ENROLLMENT_COUNTS = Precompiled(
    _enrollment_counts, scoped_by="tenant_id", written=PLAN_WRITTEN, tenant_id=TENANT_MARKER, plan_id=ID_MARKER
)


def enrollment_counts(*, plan: Plan) -> dict[str, int]:
    """``{"enrolled": N, "total": M}`` for "N of M enrolled" (one query)."""
    [(total, enrolled)] = _ENROLLMENT_COUNTS(tenant_id=plan.tenant_id, plan_id=plan.pk)
    return {"total": total, "enrolled": enrolled}


def listed_count(counts: dict[str, int], *, status: str, search: str) -> int | None:
    """How many rows ``beneficiary_statuses`` lists, from ``enrollment_counts`` when they tell
    (no search; all, enrolled or not enrolled); None: the list must count itself."""
    if search:
        return None
    return {
        "": counts["total"],
        Status.ENROLLED: counts["enrolled"],
        Status.NOT_ENROLLED: counts["total"] - counts["enrolled"],
    }.get(status)


def enrollment_history(*, plan: Plan) -> QuerySet[PlanEnrollment]:
    """Every acceptance of the plan, current and reset, newest first (admin-only view)."""
    return (
        PlanEnrollment.objects.filter(tenant_id=plan.tenant_id, plan=plan)
        .select_related("user", "document", "reset_by", "reset_batch")
        .order_by("-enrolled_at", "-id")
    )


def acceptances_of_reset(history: QuerySet[PlanEnrollment], *, batch: EnrollmentReset) -> QuerySet[PlanEnrollment]:
    """The acceptances one reset hid: still hidden by it, or brought back by its undo."""
    return history.filter(Q(reset_batch=batch) | Q(restored_from=batch))


def reset_list(*, plan: Plan) -> QuerySet[EnrollmentReset]:
    return EnrollmentReset.objects.filter(tenant_id=plan.tenant_id, plan=plan).select_related("reset_by", "undone_by")


def access_reset(*, tenant: Tenant, reset_id) -> EnrollmentReset:
    """A reset batch of the tenant, with its plan, or 404 (same answer for missing and foreign)."""
    try:
        return EnrollmentReset.objects.select_related("plan", "undone_by").get(tenant=tenant, pk=int(reset_id))
    except (EnrollmentReset.DoesNotExist, ValueError, TypeError):
        raise Http404("No such reset.") from None


# On every load of the Beneficiaries tab: compiled once (common.precompiled).
_LATEST_RESET = Precompiled(
    lambda tenant_id, plan_id: EnrollmentReset.objects.filter(tenant_id=tenant_id, plan_id=plan_id).order_by(
        "-reset_at", "-id"
    )[:1],
    scoped_by="tenant_id",
    tenant_id=TENANT_MARKER,
    plan_id=ID_MARKER,
)


def latest_standing_reset(*, plan: Plan) -> EnrollmentReset | None:
    """The plan's newest reset if it has not been undone: the one Undo reset applies to."""
    found = _LATEST_RESET(tenant_id=plan.tenant_id, plan_id=plan.pk)
    return found[0] if found and found[0].undone_at is None else None


def undo_preview(*, batch: EnrollmentReset) -> dict[str, int]:
    """``{"restorable": N, "enrolled_again": K, "older_version": V}`` for the Undo reset dialog
    (one query): the batch's hidden acceptances that would come back, those whose user enrolled
    again since, and how many that come back were signed for an older terms version."""
    latest = PlanDocument.objects.filter(tenant_id=batch.tenant_id, plan_id=batch.plan_id).order_by("-version")
    current = PlanEnrollment.objects.filter(
        tenant_id=OuterRef("tenant_id"), plan_id=OuterRef("plan_id"), user_id=OuterRef("user_id"), reset_at__isnull=True
    )
    older = Q(document__isnull=False) & ~Q(document_id=Subquery(latest.values("pk")[:1]))
    return PlanEnrollment.objects.filter(tenant_id=batch.tenant_id, plan_id=batch.plan_id, reset_batch=batch).aggregate(
        restorable=Count("pk", filter=~Exists(current)),
        enrolled_again=Count("pk", filter=Exists(current)),
        older_version=Count("pk", filter=~Exists(current) & older),
    )


def reset_of_plan(*, plan: Plan, reset_id) -> EnrollmentReset | None:
    """The plan's reset batch with this id, or None (no id, not a number, another plan's)."""
    if not str(reset_id or "").isdigit():
        return None
    return reset_list(plan=plan).filter(pk=int(reset_id)).first()


def my_plans(*, tenant: Tenant, user: User) -> QuerySet[Plan]:
    """Plans where the user is a beneficiary (drafts are not shown to beneficiaries), with the
    user's current acceptance and last view annotated."""
    current = PlanEnrollment.objects.filter(tenant=tenant, plan=OuterRef("pk"), user=user, reset_at__isnull=True)
    viewed = TermsView.objects.filter(tenant=tenant, plan=OuterRef("pk"), user=user)
    return (
        plans_of_user(tenant=tenant, user=user)
        .exclude(status="draft")
        .annotate(
            enrolled_at=Subquery(current.values("enrolled_at")[:1]),
            last_viewed_at=Subquery(viewed.values("last_viewed_at")[:1]),
        )
        .order_by("-period_start", "name")
    )


def plans_needing_enrollment(*, tenant: Tenant, user: User) -> QuerySet[Plan]:
    """Active plans that require formal enrollment and where the user has not enrolled yet."""
    return my_plans(tenant=tenant, user=user).filter(
        status="active",
        legally_protected=True,
        enrollment_option__in=["checkbox", "signature"],
        enrolled_at__isnull=True,
    )


def status_label(*, plan: Plan, enrolled_at, last_viewed_at) -> tuple[str, str, object]:
    """(label, badge class, date) of a beneficiary's status, e.g. ("Enrolled", "ok", <datetime>).

    Plans that require enrollment say Enrolled / Not yet enrolled; plans that only show terms say
    Last viewed / Terms not viewed; plans with hidden terms have no status."""
    if plan.requires_enrollment:
        if enrolled_at:
            return "Enrolled", "ok", enrolled_at
        return "Not yet enrolled", "warn", None
    if plan.shows_terms:
        if last_viewed_at:
            return "Last viewed", "info", last_viewed_at
        return "Terms not viewed", "muted", None
    return "No enrollment", "muted", None
