"""The learner's pages of a course: Today, Learn, Practice, Apply, Results, and My courses.

Who may open which page is ``courses.access``: E opens all five; X (stored, or E past its expiry
before the sweep) opens Results only and the others answer 403 with "your access to this course
has expired"; U (or no enrollment) opens none of them."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.htmx import render_page
from common.money import CENT
from common.permissions import capability_required
from tenancy.capabilities import Capability

from ..access import U, X, can_open_course, can_see_results, effective_expiry, effective_status, today_for
from ..models import ItemKind
from ..selectors.courses import access_course
from ..selectors.learner import course_state, learner_enrollment, my_course_list, only_expired
from ..services.learner import learner_complete_module

TABS = [
    ("today", "Today"),
    ("learn", "Learn"),
    ("practice", "Practice"),
    ("apply", "Apply"),
    ("results", "Results"),
]


def _open(request, course_id, page: str):
    """(course, enrollment, refusal response or None) for ``page`` of this course."""
    course = access_course(tenant=request.tenant, course_id=course_id)
    enrollment = learner_enrollment(membership=request.membership, course=course)
    today = today_for(request.tenant)
    allowed = (
        can_see_results(enrollment, today=today) if page == "results" else can_open_course(enrollment, today=today)
    )
    if allowed:
        return course, enrollment, None
    status = effective_status(enrollment, today=today) if enrollment else U
    context = {
        "course": course,
        "enrollment": enrollment,
        "status": status,
        "expiry": effective_expiry(enrollment) if enrollment else None,
        "page": page,
        "title": "Access expired" if status == X else "Not enrolled",
    }
    return course, enrollment, render_page(request, "courses/learner_refused.html", context, status=403)


def _page(request, course_id, page: str, template: str, extra=None):
    course, enrollment, refused = _open(request, course_id, page)
    if refused:
        return refused
    state = course_state(enrollment=enrollment)
    status = effective_status(enrollment, today=state.today)
    context = {
        "course": course,
        "enrollment": enrollment,
        "state": state,
        "status": status,
        "expiry": effective_expiry(enrollment),
        "tabs": TABS,
        "page": page,
        "title": f"{course.name} · {dict(TABS)[page]}",
        **(extra(state) if extra else {}),
    }
    return render_page(request, template, context)


@capability_required(Capability.LEARN)
def my_courses(request, tenant_slug):
    enrollments = my_course_list(membership=request.membership)
    return render_page(
        request,
        "courses/learner_my_courses.html",
        {"enrollments": enrollments, "only_expired": only_expired(enrollments), "title": "My courses"},
    )


@capability_required(Capability.LEARN)
def course_home(request, tenant_slug, course_id):
    """The course link: Today while the course is open, Results once it expired."""
    course = access_course(tenant=request.tenant, course_id=course_id)
    enrollment = learner_enrollment(membership=request.membership, course=course)
    target = "courses:learner_results" if enrollment and effective_status(enrollment) == X else "courses:learner_today"
    return redirect(target, tenant_slug=tenant_slug, course_id=course.pk)


@capability_required(Capability.LEARN)
def today(request, tenant_slug, course_id):
    return _page(request, course_id, "today", "courses/learner_today.html")


@capability_required(Capability.LEARN)
def learn(request, tenant_slug, course_id):
    return _page(request, course_id, "learn", "courses/learner_learn.html")


def _items_by_module(kind):
    def extra(state):
        return {
            "kind_label": ItemKind(kind).label,
            "sections": [(m, m.items_of(kind)) for m in state.modules if m.items_of(kind)],
        }

    return extra


@capability_required(Capability.LEARN)
def practice(request, tenant_slug, course_id):
    return _page(request, course_id, "practice", "courses/learner_items.html", _items_by_module(ItemKind.PRACTICE))


@capability_required(Capability.LEARN)
def apply(request, tenant_slug, course_id):
    return _page(request, course_id, "apply", "courses/learner_items.html", _items_by_module(ItemKind.APPLY))


@capability_required(Capability.LEARN)
def results(request, tenant_slug, course_id):
    return _page(request, course_id, "results", "courses/learner_results.html")


def _score(raw: str) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError("Enter the score as a number from 0 to 100.") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValidationError("Enter the score as a number from 0 to 100.")
    return value.quantize(CENT)


@require_POST
@capability_required(Capability.LEARN)
def complete_module(request, tenant_slug, course_id, module_id):
    course, enrollment, refused = _open(request, course_id, "learn")
    if refused:
        return refused
    state = course_state(enrollment=enrollment)
    module_state = state.state_of(int(module_id))
    if module_state is None:
        raise Http404("No such module in your course.")
    try:
        score = _score(request.POST.get("score", ""))
        learner_complete_module(enrollment, module=module_state.module, actor=request.user, score=score)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Completed {module_state.module.title}.")
    return redirect("courses:learner_learn", tenant_slug=tenant_slug, course_id=course.pk)
