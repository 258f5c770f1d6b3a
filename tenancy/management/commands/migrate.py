"""``migrate`` runs as the maintenance role: outside every tenant's scope on purpose, so as the
login role that owns the tables (tenancy.postgres.base), and migrations may read and write across
tenants. It creates the app role first if it is missing."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django_scopes import scopes_disabled

from tenancy.postgres.roles import ensure_app_role


class Command(DjangoMigrate):
    def execute(self, *args, **options):
        with scopes_disabled():
            ensure_app_role(options.get("database") or "default")
            return super().execute(*args, **options)
