"""The expiry rule, in one place. Every page and email that asks "may this learner open this
course?" goes through here.

- Effective expiry = the manual expiration date when set, else the sales order's end date
  (none when neither is set: the enrollment does not expire).
- THE RULE: the expiry date (manual or the sales order's end date alike) is the last day of
  access: the learner keeps access through 23:59 of that date in the workspace's time zone and
  loses it at 00:00 the next day. Every page and email words it "last day of access".
- A hand-expired enrollment (Expire in the Users panel) ended on the day it was expired, whatever
  its dates say: ``access_line`` shows that day, not the sales order's end.
- Effective status: the stored status, except that an E whose effective expiry has passed
  already counts as X. The sweep (``services.expiry.expire_due_enrollments``) writes that X later;
  access does not wait for it.
- E opens everything (Today, Learn, Practice, Apply, Results); X opens Results only; U opens
  nothing.
"""

import datetime

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import CourseEnrollment, EnrollmentStatus

E, U, X = EnrollmentStatus.ENROLLED, EnrollmentStatus.UNENROLLED, EnrollmentStatus.EXPIRED


def today_for(tenant, *, now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in the tenant's time zone."""
    return (now or timezone.now()).astimezone(tenant.zone).date()


def effective_expiry_expression():
    return Coalesce(F("manual_expiration_date"), F("sales_order__end_date"))


def past_expiry_q(today: datetime.date, prefix: str = "") -> Q:
    """Rows whose effective expiry is before ``today`` (whatever their stored status)."""
    p = prefix
    return Q(**{f"{p}manual_expiration_date__lt": today}) | Q(
        **{f"{p}manual_expiration_date__isnull": True, f"{p}sales_order__end_date__lt": today}
    )


def in_window_q(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    """Effective expiry (last day of access) in [start, end], written so each half can use an
    index (the notices before access ends, and "Expiring within N days")."""
    p = prefix
    return Q(**{f"{p}manual_expiration_date__gte": start, f"{p}manual_expiration_date__lte": end}) | Q(
        **{
            f"{p}manual_expiration_date__isnull": True,
            f"{p}sales_order__end_date__gte": start,
            f"{p}sales_order__end_date__lte": end,
        }
    )


def effectively_expired_q(today: datetime.date, prefix: str = "") -> Q:
    """X, or E past its expiry."""
    return Q(**{f"{prefix}status": X}) | (Q(**{f"{prefix}status": E}) & past_expiry_q(today, prefix))


def effectively_enrolled_q(today: datetime.date, prefix: str = "") -> Q:
    """E and not past its expiry: the learner may open the course."""
    return Q(**{f"{prefix}status": E}) & ~past_expiry_q(today, prefix)


def with_effective_status(queryset: QuerySet[CourseEnrollment], *, today: datetime.date) -> QuerySet:
    """Annotate ``effective_expiry`` and ``effective_status`` (E/U/X as access sees it now)."""
    return queryset.annotate(
        effective_expiry=effective_expiry_expression(),
        effective_status=Case(
            When(Q(status=E) & past_expiry_q(today), then=Value(X)),
            default=F("status"),
        ),
    )


def effective_expiry(enrollment: CourseEnrollment) -> datetime.date | None:
    if enrollment.manual_expiration_date:
        return enrollment.manual_expiration_date
    if enrollment.sales_order_id:
        return enrollment.sales_order.end_date
    return None


def effective_status(enrollment: CourseEnrollment, *, today: datetime.date | None = None) -> str:
    if enrollment.status != E:
        return enrollment.status
    expiry = effective_expiry(enrollment)
    today = today or today_for(enrollment.tenant)
    return X if expiry is not None and expiry < today else E


def is_expired_now(enrollment: CourseEnrollment, *, today: datetime.date | None = None) -> bool:
    return effective_status(enrollment, today=today) == X


def can_open_course(enrollment: CourseEnrollment | None, *, today: datetime.date | None = None) -> bool:
    """Today, Learn, Practice, Apply."""
    return enrollment is not None and effective_status(enrollment, today=today) == E


def can_see_results(enrollment: CourseEnrollment | None, *, today: datetime.date | None = None) -> bool:
    """Results stay open after expiry; unenrolling closes them."""
    return enrollment is not None and effective_status(enrollment, today=today) in (E, X)


def access_line(enrollment, *, status: str, zone, learner: bool = False) -> str:
    """The one wording of an enrollment's end, for every page, report and email: "Last day of
    access: 12/16/2026" (E), "Last day of access was 11/20/2026" (X by its date), "Access ended
    on 11/20/2026 (expired by hand)" (X by hand: the day it was expired). ``learner`` words it
    for the learner ("Your access ended …")."""
    if status == X and enrollment.expired_by_hand and enrollment.expired_at:
        day = enrollment.expired_at.astimezone(zone).date()
        return f"{'Your access' if learner else 'Access'} ended on {day:%m/%d/%Y} (expired by hand)"
    expiry = getattr(enrollment, "effective_expiry", None) or effective_expiry(enrollment)
    if expiry is None:
        return "No end date" if status != U else ""
    if status == X:
        return f"{'Your last' if learner else 'Last'} day of access was {expiry:%m/%d/%Y}"
    if status == U:
        return ""
    return f"{'Your last' if learner else 'Last'} day of access: {expiry:%m/%d/%Y}"
