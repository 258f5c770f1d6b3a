from django.db import migrations

from tenancy.postgres.search import TrigramSearchIndexes


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction, and the activity log is written by
    # every action: it keeps taking entries while the indexes build.
    atomic = False

    dependencies = [
        ("activity", "0003_tenant_alone_index_dropped"),
        ("tenancy", "0005_user_search"),
    ]

    operations = [
        # The Activity page's search: the object's label or the verb contains the words.
        TrigramSearchIndexes(table="activity_activityentry", columns=["object_label", "verb"]),
    ]
