"""The partner portal: a partner user sees their own account's program enrollments, tier,
progress with the per-criterion gaps, and benefits. Nothing of other accounts, no admin actions.
Also the left-pane entries and home panels of the enrollment pages."""

from common.htmx import render_page
from common.permissions import capability_required
from tenancy.capabilities import Capability

from ..selectors.enrollments import PRESETS, attention_counts
from ..selectors.portal import portal_enrollments, portal_summary


@capability_required(Capability.PARTNER_PORTAL)
def portal(request, tenant_slug):
    profile, enrollments = portal_enrollments(tenant=request.tenant, user=request.user)
    ctx = {"title": "Partner portal", "profile": profile, "enrollments": enrollments}
    return render_page(request, "partners/portal_home.html", ctx)


def portal_panel(request):
    """Home panel of a partner user: their tier and progress per program."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(Capability.PARTNER_PORTAL):
        return None
    profile, enrollments = portal_summary(tenant=request.tenant, user=request.user)
    if profile is None:
        return None
    return {"template": "partners/portal_panel.html", "profile": profile, "enrollments": enrollments}


def attention_panel(request):
    """Home panel of partner managers: how many enrollments need attention, per preset."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(Capability.PARTNER_TIERS):
        return None
    counts = attention_counts(tenant=request.tenant)
    return {
        "template": "partners/enrollment_attention_panel.html",
        "presets": [{"key": k, "label": label, "count": counts[k]} for k, label in PRESETS.items()],
    }


def register_enrollment_pages() -> None:
    """Called from PartnersConfig.ready()."""
    from common.home import register_panel
    from common.nav import NavItem, register

    register(NavItem("My work", "Partner portal", "partners:portal", Capability.PARTNER_PORTAL, order=150))
    register_panel(portal_panel, order=150)
    register_panel(attention_panel, order=400)
