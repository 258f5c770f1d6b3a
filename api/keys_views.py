"""Settings > API keys: list, create (the key is shown once), revoke. Full administrators only."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse

from common.permissions import capability_required
from common.views import ConfirmActionView, TenantListView
from tenancy.capabilities import Capability

from . import services
from .filters import ApiKeyFilter
from .forms import ApiKeyForm
from .selectors import access_api_key, api_key_list
from .tables import ApiKeyTable


class ApiKeyListView(TenantListView):
    capability = Capability.ADMINISTER
    title = "API keys"
    template_name = "api/key_list.html"
    table_class = ApiKeyTable
    filterset_class = ApiKeyFilter
    export_formats = ()
    create_url_name = "api_keys:key_create"

    def get_base_queryset(self):
        return api_key_list(tenant=self.request.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["feed_url"] = self.request.build_absolute_uri(
            reverse("api:service_root", kwargs={"tenant_slug": self.request.tenant.slug})
        )
        return ctx


@capability_required(Capability.ADMINISTER)
def key_create(request, tenant_slug):
    back = reverse("api_keys:key_list", kwargs={"tenant_slug": tenant_slug})
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_api_key(
                tenant=request.tenant, user=request.user, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Rendered, not redirected: the clear key never goes into a session or a URL.
            feed_url = request.build_absolute_uri(reverse("api:service_root", kwargs={"tenant_slug": tenant_slug}))
            ctx = {"title": "API key created", "created": created, "feed_url": feed_url, "back": back}
            response = render(request, "api/key_created.html", ctx)
            response["Cache-Control"] = "no-store"
            return response
    ctx = {"form": form, "title": "New API key", "cancel_url": back, "submit_label": "Create key"}
    return render(request, "components/form_page.html", ctx)


class ApiKeyRevokeView(ConfirmActionView):
    capability = Capability.ADMINISTER
    title = "Revoke API key?"
    confirm_label = "Revoke"

    def get_object(self):
        return access_api_key(tenant=self.request.tenant, api_key_id=self.kwargs["api_key_id"])

    def describe(self, obj) -> str:
        return (
            f"“{obj.name}” ({obj.prefix}…) of {obj.user.email} will stop working at once. "
            "Scripts and reports using it will get 401."
        )

    def perform(self, obj) -> str:
        if services.revoke_api_key(obj, actor=self.request.user):
            return f"Revoked API key “{obj.name}”."
        return f"API key “{obj.name}” was already revoked."

    def get_success_url(self, obj) -> str:
        return reverse("api_keys:key_list", kwargs={"tenant_slug": self.request.tenant.slug})
