from django.db import migrations

from tenancy.postgres.search import TrigramSearchIndexes


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction: users keep signing in and being
    # added while the indexes build.
    atomic = False

    dependencies = [
        ("tenancy", "0004_tenant_tables"),
    ]

    operations = [
        # Every "search by name or email" of the portal (All Users, Members, Beneficiaries, the
        # course dashboards, partner users, pickers) filters the users by these two columns.
        TrigramSearchIndexes(table="tenancy_user", columns=["email", "full_name"]),
    ]
