import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from common.home import panels_for
from common.permissions import capability_required
from common.throttle import hit
from common.views import TenantListView

from . import services
from .capabilities import Capability
from .filters import MembershipFilter, RoleFilter
from .forms import MemberAddForm, MemberEditForm, NoticeSettingsForm, RoleForm
from .models import Tenant
from .selectors import access_membership, access_role, membership_list, role_list, workspaces_for_user
from .tables import MembershipTable, RoleTable

logger = logging.getLogger(__name__)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, with the emails limited per address and per client address. Over a limit
    nothing is sent, and the answer is the same "check your inbox" page as always, so it tells
    nothing about the address or the limit."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_address = hit(
            self.request,
            group="password-reset:address",
            key=lambda group, request: email,
            rate=settings.PASSWORD_RESET_RATE_PER_ADDRESS,
        )
        by_ip = hit(self.request, group="password-reset:ip", key="ip", rate=settings.PASSWORD_RESET_RATE_PER_IP)
        if by_address.limited or by_ip.limited:
            logger.warning("Password reset not sent: rate limit (%s).", "address" if by_address.limited else "IP")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
def home(request):
    """After login: straight into the only workspace, or a choice among several."""
    memberships = workspaces_for_user(user=request.user)
    if len(memberships) == 1:
        return redirect("workspace_home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "tenancy/workspace_picker.html", {"memberships": memberships})


@capability_required(None)
def workspace_home(request, tenant_slug):
    """The workspace's start page: one panel per app that has something for this member."""
    return render(request, "tenancy/workspace_home.html", {"panels": panels_for(request)})


class MemberListView(TenantListView):
    capability = Capability.MANAGE_SETTINGS
    title = "Members"
    table_class = MembershipTable
    filterset_class = MembershipFilter
    export_name = "members"
    create_url_name = "tenancy:member_add"

    def get_base_queryset(self):
        return membership_list(tenant=self.request.tenant)


class RoleListView(TenantListView):
    capability = Capability.MANAGE_SETTINGS
    title = "Roles"
    table_class = RoleTable
    filterset_class = RoleFilter
    export_name = "roles"
    create_url_name = "tenancy:role_add"

    def get_base_queryset(self):
        return role_list(tenant=self.request.tenant)


def _form_page(request, form, title, back):
    return render(request, "components/form_page.html", {"form": form, "title": title, "cancel_url": back})


@capability_required(Capability.MANAGE_SETTINGS)
def member_add(request, tenant_slug):
    back = reverse("tenancy:member_list", kwargs={"tenant_slug": tenant_slug})
    form = MemberAddForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        membership = services.member_add(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        messages.success(request, f"Added {membership.user.email} as {membership.role}.")
        return redirect(back)
    return _form_page(request, form, "Add member", back)


@capability_required(Capability.MANAGE_SETTINGS)
def member_edit(request, tenant_slug, membership_id):
    membership = access_membership(tenant=request.tenant, membership_id=membership_id)
    back = reverse("tenancy:member_list", kwargs={"tenant_slug": tenant_slug})
    initial = {
        "role": membership.role,
        "is_active": membership.is_active,
        "manager": membership.manager,
        "title": membership.title,
    }
    form = MemberEditForm(request.POST or None, initial=initial, tenant=request.tenant, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(membership=membership, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict of field errors lands next to its fields
        else:
            messages.success(request, f"Saved {membership.user.email}.")
            return redirect(back)
    return _form_page(request, form, f"Edit member {membership.user.email}", back)


@capability_required(Capability.MANAGE_SETTINGS)
def role_add(request, tenant_slug):
    back = reverse("tenancy:role_list", kwargs={"tenant_slug": tenant_slug})
    form = RoleForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        role = services.role_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        messages.success(request, f"Created role {role.name}.")
        return redirect(back)
    return _form_page(request, form, "New role", back)


@capability_required(Capability.MANAGE_SETTINGS)
def role_edit(request, tenant_slug, role_id):
    role = access_role(tenant=request.tenant, role_id=role_id)
    back = reverse("tenancy:role_list", kwargs={"tenant_slug": tenant_slug})
    form = RoleForm(request.POST or None, instance=role, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        # The ModelForm has written the posted values onto its own instance: the service compares
        # them with the role as stored, so it gets a fresh copy.
        stored = access_role(tenant=request.tenant, role_id=role_id)
        try:
            role = services.role_update(role=stored, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict of field errors lands next to its fields
        else:
            messages.success(request, f"Saved role {role.name}.")
            return redirect(back)
    return _form_page(request, form, f"Edit role {role.name}", back)


@capability_required(Capability.MANAGE_SETTINGS)
def notice_settings(request, tenant_slug):
    """Settings > Notices: the N of the notices before a course's or a partner enrollment's end."""
    here = reverse("tenancy:notice_settings", kwargs={"tenant_slug": tenant_slug})
    form = NoticeSettingsForm(request.POST or None, instance=Tenant.objects.get(pk=request.tenant.pk))
    if request.method == "POST" and form.is_valid():
        services.notice_settings_update(tenant=request.tenant, actor=request.user, data=form.cleaned_data)
        messages.success(request, "Saved the notice settings.")
        return redirect(here)
    return _form_page(request, form, "Notices before access ends", None)
