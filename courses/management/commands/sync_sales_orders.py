from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from courses.tasks import sync_all_sales_orders
from tenancy.models import Tenant


class Command(BaseCommand):
    help = "Fetch sales orders changed in NetSuite since the last sync (what the beat task does)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Workspace slug (default: every workspace with a connection)")

    def handle(self, *args, tenant=None, **options):
        tenant_id = None
        if tenant:
            with scopes_disabled():
                found = Tenant.objects.filter(slug=tenant).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No workspace {tenant!r}.")
            tenant_id = found
        messages = sync_all_sales_orders(tenant_id)
        for slug, message in messages.items():
            self.stdout.write(f"{slug}: {message}")
        if not messages:
            self.stdout.write("No workspace has a NetSuite connection.")
        if any(m.startswith("NetSuite sync failed") for m in messages.values()):
            raise CommandError("At least one sync failed (see above).")
