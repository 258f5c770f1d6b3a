from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from courses.tasks import expire_enrollments
from tenancy.models import Tenant


class Command(BaseCommand):
    help = "Set X on enrolled learners whose expiry has passed (what the beat sweep does). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Workspace slug (default: every workspace)")

    def handle(self, *args, tenant=None, **options):
        tenant_id = None
        if tenant:
            with scopes_disabled():
                found = Tenant.objects.filter(slug=tenant).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No workspace {tenant!r}.")
            tenant_id = found
        counts = expire_enrollments(tenant_id)
        for slug, count in counts.items():
            self.stdout.write(f"{slug}: expired {count} enrollment{'s' if count != 1 else ''}")
        if not counts:
            self.stdout.write("Nothing to expire.")
