from django.shortcuts import render

from common.permissions import capability_required
from common.precompiled import TENANT_MARKER
from common.preread import PrereadFirstPage
from common.views import TenantListView
from tenancy.capabilities import Capability
from tenancy.models import Tenant
from tenancy.selectors import member_user_suggestions

from .changes import model_named, readable_changes
from .filters import ActivityFilter
from .links import entry_links, object_url
from .selectors import access_entry, activity_list, touched_ids
from .tables import ActivityTable

TOUCHED_SHOWN = 100


class ActivityListView(PrereadFirstPage, TenantListView):
    capability = Capability.VIEW_ACTIVITY
    keeps_regions = True  # common.regions
    title = "Activity"
    table_class = ActivityTable
    filterset_class = ActivityFilter
    export_name = "activity"

    def get_base_queryset(self):
        return activity_list(tenant=self.request.tenant)

    # The log as it opens: its first page read by a statement compiled once (common.preread).
    opening_markers = {"tenant_id": TENANT_MARKER}

    @classmethod
    def opening_queryset(cls, shape, *, tenant_id):
        return activity_list(tenant=Tenant(pk=tenant_id))


@capability_required(Capability.VIEW_ACTIVITY)
def actor_suggestions(request, tenant_slug):
    """The actor picker's suggestions for the text typed so far: ``<option>`` elements, the value
    the email (names repeat across hundreds of people), the label the name."""
    users = member_user_suggestions(tenant=request.tenant, text=request.GET.get("actor", ""))
    return render(request, "activity/_actor_options.html", {"users": users})


@capability_required(Capability.VIEW_ACTIVITY)
def entry_detail(request, tenant_slug, entry_id):
    """One entry in full: who, what, the changes in words, and what a mass action touched, each
    linked to its page where it has one."""
    entry = access_entry(tenant=request.tenant, entry_id=entry_id)
    ids = touched_ids(entry, limit=TOUCHED_SHOWN)
    model = model_named(entry.object_type)
    labels = {}
    if model is not None and ids:
        # select_related() follows every foreign key in the one query, so __str__ costs nothing more
        objects = model.objects.filter(tenant=request.tenant, pk__in=ids).select_related()
        labels = {str(obj.pk): str(obj) for obj in objects}
    touched = [
        {
            "id": i,
            "label": labels.get(str(i), f"#{i} (deleted since)" if model else f"#{i}"),
            "url": object_url(entry, i),
        }
        for i in ids
    ]
    ctx = {
        "entry": entry,
        "changes": readable_changes(entry),
        "links": entry_links(entry),
        "object_url": object_url(entry, entry.object_id),
        "touched": touched,
        "touched_total": len(entry.object_ids or []),
    }
    return render(request, "activity/entry_detail.html", ctx)
