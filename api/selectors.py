from django.db.models import QuerySet
from django.http import Http404

from tenancy.models import Tenant

from .models import ApiKey


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).select_related("user", "revoked_by").order_by("-created_at", "-id")


def access_api_key(*, tenant: Tenant, api_key_id, for_update: bool = False) -> ApiKey:
    """The key with this id in this tenant, or 404 (same answer for missing and foreign)."""
    qs = ApiKey.objects.filter(tenant=tenant).select_related("user", "tenant")
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(api_key_id))
    except (ApiKey.DoesNotExist, ValueError, TypeError):
        raise Http404("No such API key.") from None
