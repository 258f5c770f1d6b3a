"""Print the Citus statements that distribute this schema (tenancy.postgres.citus): reference
tables first, then the tenant tables, distributed by tenant_id and colocated."""

from django.apps import apps
from django.core.management.base import BaseCommand

from tenancy.postgres.citus import citus_plan


class Command(BaseCommand):
    help = "Print the create_reference_table / create_distributed_table statements for every table."
    requires_system_checks = []

    def handle(self, *args, **options):
        for statement in citus_plan(apps):
            self.stdout.write(statement)
