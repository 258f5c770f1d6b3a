"""Home panel for beneficiaries: the active plans that wait for their formal enrollment."""

from common.permissions import member_has
from tenancy.capabilities import Capability

from .selectors import plans_needing_enrollment


def plans_to_enroll_panel(request) -> dict | None:
    if not member_has(request, Capability.MY_PLANS):
        return None
    plans = list(plans_needing_enrollment(tenant=request.tenant, user=request.user)[:10])
    if not plans:
        return None
    return {"template": "enrollments/home_panel.html", "plans": plans}
