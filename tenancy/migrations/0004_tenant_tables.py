"""Row-level security and (id, tenant_id) keys on every tenant table, on PostgreSQL
(tenancy.postgres.operations). It runs after every app's latest migration, so it sees every
tenant table; a later migration that adds one ends with TenantTables() again."""

from django.db import migrations

from tenancy.postgres.operations import TenantTables


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0003_tenant_alone_index_dropped"),
        ("activity", "0003_tenant_alone_index_dropped"),
        ("api", "0003_tenant_alone_index_dropped"),
        ("balances", "0002_tenant_alone_index_dropped"),
        ("courses", "0007_tenant_alone_index_dropped"),
        ("enrollments", "0006_tenant_alone_index_dropped"),
        ("jobs", "0002_tenant_alone_index_dropped"),
        ("partners", "0005_tenant_alone_index_dropped"),
        ("plans", "0005_tenant_alone_index_dropped"),
    ]

    operations = [TenantTables()]
