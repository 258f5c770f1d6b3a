"""The manager's Coach page: their team (members whose manager they are) and each one's
enrollment status per course, "Expired" as soon as access has ended (even before the sweep)."""

from common.htmx import render_page
from common.permissions import capability_required
from tenancy.capabilities import Capability

from ..selectors.coach import team_list


@capability_required(Capability.COACH)
def coach(request, tenant_slug):
    team = team_list(manager=request.membership)
    return render_page(request, "courses/coach.html", {"team": team, "title": "Coach"})
