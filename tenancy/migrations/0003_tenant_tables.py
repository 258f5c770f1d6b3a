"""Row-level security and (id, tenant_id) keys on every tenant table, on PostgreSQL
(tenancy.postgres.operations). It runs after every app's latest migration, so it sees every
tenant table; a later migration that adds one ends with TenantTables() again."""

from django.db import migrations

from tenancy.postgres.operations import TenantTables


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_tenant_expiry_notice_days"),
        ("activity", "0002_initial"),
        ("api", "0002_apikey_hash_per_tenant"),
        ("balances", "0001_balance_clear"),
        ("courses", "0006_notice_schedule"),
        ("enrollments", "0005_undo_reset"),
        ("jobs", "0001_initial"),
        ("partners", "0004_drilldown_order_indexes"),
        ("plans", "0004_reward_owed_index"),
    ]

    operations = [TenantTables()]
