"""A page whose write is followed by a statement that would run for seconds (for
test_statement_timeout): the portal's URLs plus this one."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path

from activity.services import record
from config.urls import urlpatterns as portal_urls
from tenancy.models import Tenant

# Seconds of work for the database if nothing stops it; stopped after a fraction of one.
SLOW_SQL = {
    "sqlite": (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) FROM c"
    ),
    "postgresql": "SELECT count(*) FROM generate_series(1, 500000000)",
}


def slow_write(request, slug):
    with transaction.atomic():
        tenant = Tenant.objects.get(slug=slug)
        record(tenant=tenant, actor=None, action="update", target="the slow page", verb="tried")
        with connection.cursor() as cursor:
            cursor.execute(SLOW_SQL[connection.vendor])
    return HttpResponse("finished")


urlpatterns = [path("slow/<slug:slug>/", slow_write), *portal_urls]
