"""Learning > User groups: named sets of learners, used by Search For and Enroll."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from common.permissions import capability_required
from common.views import TenantListView
from tenancy.capabilities import Capability

from ..filters import UserGroupFilter
from ..forms import UserGroupForm
from ..selectors.user_groups import access_user_group, user_group_list
from ..services import user_groups as services
from ..tables import UserGroupTable


class UserGroupListView(TenantListView):
    capability = Capability.MANAGE_LEARNING
    title = "User groups"
    table_class = UserGroupTable
    filterset_class = UserGroupFilter
    export_name = "user-groups"
    create_url_name = "courses:user_group_add"

    def get_base_queryset(self):
        return user_group_list(tenant=self.request.tenant)


def _page(request, form, title, back):
    return render(request, "components/form_page.html", {"form": form, "title": title, "cancel_url": back})


@capability_required(Capability.MANAGE_LEARNING)
def user_group_add(request, tenant_slug):
    back = reverse("courses:user_group_list", kwargs={"tenant_slug": tenant_slug})
    form = UserGroupForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        group = services.user_group_create(
            tenant=request.tenant,
            actor=request.user,
            name=form.cleaned_data["name"],
            learner_ids=[m.pk for m in form.cleaned_data["learners"]],
        )
        messages.success(request, f"Created user group {group.name}.")
        return redirect(back)
    return _page(request, form, "New user group", back)


@capability_required(Capability.MANAGE_LEARNING)
def user_group_edit(request, tenant_slug, user_group_id):
    group = access_user_group(tenant=request.tenant, user_group_id=user_group_id)
    back = reverse("courses:user_group_list", kwargs={"tenant_slug": tenant_slug})
    initial = {"name": group.name, "learners": list(group.memberships.values_list("learner_id", flat=True))}
    form = UserGroupForm(request.POST or None, initial=initial, tenant=request.tenant, group=group)
    if request.method == "POST" and form.is_valid():
        group = access_user_group(tenant=request.tenant, user_group_id=user_group_id, for_update=True)
        services.user_group_update(
            group,
            actor=request.user,
            name=form.cleaned_data["name"],
            learner_ids=[m.pk for m in form.cleaned_data["learners"]],
        )
        messages.success(request, f"Saved user group {group.name}.")
        return redirect(back)
    return _page(request, form, f"Edit user group {group.name}", back)
