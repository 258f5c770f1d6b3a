from common.nav import items_for


def workspace(request):
    membership = getattr(request, "membership", None)
    tenant = getattr(request, "tenant", None)
    if membership is None or tenant is None:
        return {}
    return {
        "tenant": tenant,
        "membership": membership,
        "nav_sections": items_for(membership, tenant.slug, request.path),
    }
