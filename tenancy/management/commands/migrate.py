"""``migrate`` runs as the maintenance role: outside every tenant's scope on purpose, so as the
login role that owns the tables (tenancy.postgres.base), and migrations may read and write across
tenants. It creates the app role first if it is missing. Writes bump no data version meanwhile
(tenancy.data_version): every workspace's moves on once at the end, even when it fails."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django_scopes import scopes_disabled

from tenancy.data_version import resume_tracking
from tenancy.postgres.roles import ensure_app_role


class Command(DjangoMigrate):
    def execute(self, *args, **options):
        database = options.get("database") or "default"
        with scopes_disabled():
            ensure_app_role(database)
            try:
                return super().execute(*args, **options)
            finally:
                resume_tracking(database)
