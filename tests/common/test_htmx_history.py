"""htmx restores a page on Back from its history cache; when the cache no longer holds it (more
than ten pages back, or a page too large for the browser's storage) it asks the server with
``HX-Request`` and ``HX-History-Restore-Request`` and puts the answer in the whole body. That
answer must be the whole page: the list's partial there left the table alone on the screen,
without the layout, the menu or the filters."""

import pytest
from django.urls import reverse

from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def _pages(tenant):
    plan = PlanFactory(tenant=tenant)
    kw = {"tenant_slug": tenant.slug}
    return [
        reverse("tenancy:member_list", kwargs=kw),  # a list view (common.views.TenantListView)
        reverse("enrollments:beneficiary_list", kwargs={**kw, "plan_id": plan.pk}),  # a tab (render_page)
    ]


def test_a_page_restored_on_back_is_the_whole_page(admin_client, tenant):
    for url in _pages(tenant):
        partial = admin_client.get(url, headers={"HX-Request": "true"})
        assert partial.status_code == 200 and b"<html" not in partial.content, url
        restored = admin_client.get(url, headers=RESTORE)
        assert restored.status_code == 200, url
        assert b"<html" in restored.content and b'class="filters"' in restored.content, url
