"""The test app's tenant table gets its (id, tenant_id) key and row-level security like every
other: tenancy's 0004 only covers it when the migration graph happens to order it first."""

from django.db import migrations

from tenancy.postgres.operations import TenantTables


class Migration(migrations.Migration):
    dependencies = [("dueapp", "0001_initial"), ("tenancy", "0004_tenant_tables")]

    operations = [TenantTables()]
