"""The courses app's panels on the workspace home page: the learner's (their courses, and when
every course they have is expired, typically their only one, the message that it has expired
with a link to its Results) and the one for people who manage learning (who is enrolled or
expired now, and the sales orders about to end: their learners expire with them)."""

import datetime

from tenancy.capabilities import Capability

from .access import today_for
from .selectors.courses import enrollment_counts
from .selectors.learner import my_course_list, only_expired
from .selectors.sales_orders import sales_orders_ending

SOON = datetime.timedelta(days=30)


def learner_panel(request) -> dict | None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(Capability.LEARN):
        return None
    enrollments = my_course_list(membership=membership)
    if not enrollments:
        return None
    return {
        "template": "courses/learner_home_panel.html",
        "enrollments": enrollments,
        "only_expired": only_expired(enrollments),
    }


def learning_admin_panel(request):
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(Capability.MANAGE_LEARNING):
        return None
    tenant = request.tenant
    today = today_for(tenant)
    counts = enrollment_counts(tenant=tenant, today=today)
    ending = sales_orders_ending(tenant=tenant, start=today, end=today + SOON, limit=5)
    return {"template": "courses/home_panel.html", "counts": counts, "ending": ending}
