"""Learning > Courses: the course list, a course's Users panel with the bulk Edit, and Enroll."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from common.htmx import htmx_partial
from common.permissions import capability_required
from common.views import TenantListView
from tenancy.capabilities import Capability

from ..filters import CourseFilter, EnrollmentFilter
from ..forms import BulkEditForm, EnrollForm
from ..selectors.courses import access_course, course_enrollment_list, course_list, current_version
from ..services import courses as services
from ..tables import CourseTable, EnrollmentTable


class CourseListView(TenantListView):
    capability = Capability.MANAGE_LEARNING
    title = "Courses"
    table_class = CourseTable
    filterset_class = CourseFilter
    export_name = "courses"

    def get_base_queryset(self):
        return course_list(tenant=self.request.tenant)


class CourseUsersView(TenantListView):
    """The Users panel of one course: filter (Search For), select, Edit."""

    capability = Capability.MANAGE_LEARNING
    template_name = "courses/course_detail.html"
    table_class = EnrollmentTable
    filterset_class = EnrollmentFilter
    table_pagination = {**TenantListView.table_pagination, "per_page": 50}

    def dispatch(self, request, *args, **kwargs):
        self.course = access_course(tenant=request.tenant, course_id=kwargs["course_id"])
        self.export_name = f"{self.course.name} users"
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return course_enrollment_list(course=self.course)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.course.name
        ctx["course"] = self.course
        ctx["version"] = current_version(course=self.course)
        # "Every active learner matching" counts whom Edit will change: inactive learners never are.
        ctx["active_matching"] = self.object_list.filter(learner__is_active=True).order_by().count()
        ctx["filter_params"] = [(k, v) for k, v in self.request.GET.items() if k in ("user_group", "q", "status") and v]
        return ctx


def _selected_ids(request, course) -> list[int]:
    """The enrollments to edit: the ticked boxes, or every active learner matching the filter."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("all_matching") == "1":
        filterset = EnrollmentFilter(source, queryset=course_enrollment_list(course=course), tenant=request.tenant)
        qs = filterset.qs if filterset.is_valid() else course_enrollment_list(course=course)
        return list(qs.filter(learner__is_active=True).order_by().values_list("pk", flat=True))
    ids = []
    for value in source.getlist("enrollment"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return sorted(set(ids))


def _back_to_panel(request, back: str) -> str:
    """Where to return after Edit: the Users panel with the filter the admin had, else plain."""
    candidate = request.POST.get("next") or (request.htmx.current_url if request.htmx else "") or ""
    parts = urlsplit(candidate)
    if parts.path != back:
        return back
    return f"{back}?{parts.query}" if parts.query else back


@capability_required(Capability.MANAGE_LEARNING)
def enrollments_edit(request, tenant_slug, course_id):
    """GET: the Edit dialog for the selection, stating the count. POST: apply it (one
    transaction, one activity entry); errors come back in the dialog and nothing changes."""
    course = access_course(tenant=request.tenant, course_id=course_id)
    back = reverse("courses:course_detail", kwargs={"tenant_slug": tenant_slug, "course_id": course.pk})
    ids = _selected_ids(request, course)
    next_url = _back_to_panel(request, back)
    # Bound on every POST, even an empty one: add_error below needs a cleaned form.
    form = BulkEditForm(request.POST if request.method == "POST" else None, tenant=request.tenant)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if not ids:
            form.add_error(None, "Select at least one learner.")
        elif valid:
            try:
                result = services.enrollments_edit(
                    course=course,
                    actor=request.user,
                    enrollment_ids=ids,
                    action=form.cleaned_data["action"],
                    sales_order=form.cleaned_data["sales_order"],
                    manual_expiration_date=form.cleaned_data["manual_expiration_date"],
                    clear_manual_date=form.cleaned_data["clear_manual_date"],
                    version_choice=form.cleaned_data["version_choice"] or "same",
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{result.message} in {course.name}.")
                if htmx_partial(request):
                    return HttpResponseClientRedirect(next_url)
                return redirect(next_url)
        status = 422
    ctx = {"course": course, "form": form, "ids": ids, "count": len(ids), "cancel_url": back, "next": next_url}
    template = "courses/enrollments_edit.html"
    if htmx_partial(request):
        template += "#dialog"
    return render(request, template, ctx, status=status)


@capability_required(Capability.MANAGE_LEARNING)
def enroll(request, tenant_slug, course_id):
    course = access_course(tenant=request.tenant, course_id=course_id)
    back = reverse("courses:course_detail", kwargs={"tenant_slug": tenant_slug, "course_id": course.pk})
    form = EnrollForm(request.POST or None, tenant=request.tenant, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.learners_enroll(
                course=course,
                actor=request.user,
                learner_ids=form.learner_ids(),
                sales_order=form.cleaned_data["sales_order"],
                manual_expiration_date=form.cleaned_data["manual_expiration_date"],
                version_choice=form.cleaned_data["version_choice"] or "same",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{result.message} in {course.name}.")
            return redirect(back)
    return render(
        request,
        "components/form_page.html",
        {"form": form, "title": f"Enroll learners in {course.name}", "cancel_url": back, "submit_label": "Enroll"},
    )
