from common.views import TenantListView
from tenancy.capabilities import Capability

from .filters import ActivityFilter
from .selectors import activity_list
from .tables import ActivityTable


class ActivityListView(TenantListView):
    capability = Capability.VIEW_ACTIVITY
    title = "Activity"
    table_class = ActivityTable
    filterset_class = ActivityFilter
    export_name = "activity"

    def get_base_queryset(self):
        return activity_list(tenant=self.request.tenant)
