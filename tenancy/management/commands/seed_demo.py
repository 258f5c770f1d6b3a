import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection
from django_scopes import scopes_disabled

from tenancy.demo import DEMO_PASSWORD, DemoContext


class Command(BaseCommand):
    help = "Create (or complete) the demo workspaces acme and globex with realistic data. Idempotent."

    def handle(self, *args, **options):
        ctx = DemoContext(stdout=self.stdout)
        with scopes_disabled():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                if hasattr(module, "seed"):
                    self.stdout.write(f"  seeding {config.label} …")
                    module.seed(ctx)
            if connection.vendor == "postgresql":
                # A freshly loaded database has no planner statistics until autovacuum gets to
                # it: the demo's pages ran on guessed plans (All Plans' query 24 ms instead of
                # 1.4 ms). As maintenance: ANALYZE of a table needs its owner.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"\nDemo workspaces ready. Logins (password for all: {DEMO_PASSWORD}):"))
        width = max(len(e) for e, _, _ in ctx.logins)
        for email, role, slug in ctx.logins:
            self.stdout.write(f"  {email.ljust(width)}  {role}  (/w/{slug}/)")
