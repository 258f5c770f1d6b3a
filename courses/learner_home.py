"""The learner's panel on the workspace home page: their courses, and when every course they
have is expired (typically their only one), the message that it has expired with a link to its
Results."""

from tenancy.capabilities import Capability

from .learner_selectors import my_course_list, only_expired


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
