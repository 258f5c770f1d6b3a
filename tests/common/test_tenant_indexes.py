"""portal.E003/E004: each tenant-owned table has exactly one kind of index leading with the
tenant: composite ones, or the tenant column's own when it has none."""

from django.db import models
from django.db.models import Q
from django.test.utils import isolate_apps

from common.checks import one_index_leads_with_tenant
from tenancy.models import TenantOwned, tenant_key


def ids(*models_):
    return [error.id for error in one_index_leads_with_tenant(models=models_)]


def test_every_model_of_the_portal_passes():
    assert one_index_leads_with_tenant() == []


@isolate_apps("tests.dueapp")
def test_a_tenant_alone_index_beside_a_composite_one_is_refused():
    class Widget(TenantOwned):
        tenant = tenant_key(indexed=True)
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "dueapp"
            indexes = [models.Index(fields=["tenant", "name"], name="w_tenant_name")]

    class Lean(TenantOwned):
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "dueapp"
            indexes = [models.Index(fields=["tenant", "name"], name="l_tenant_name")]

    assert ids(Widget) == ["portal.E003"]
    assert ids(Lean) == []


@isolate_apps("tests.dueapp")
def test_a_table_with_no_index_leading_with_the_tenant_is_refused():
    class Bare(TenantOwned):  # TenantOwned's default: the tenant column has no index of its own
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "dueapp"
            indexes = [models.Index(fields=["name"], name="b_name")]

    class Indexed(TenantOwned):
        tenant = tenant_key(indexed=True)
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "dueapp"

    assert ids(Bare) == ["portal.E004"]
    assert ids(Indexed) == []


@isolate_apps("tests.dueapp")
def test_a_partial_index_counts_as_the_tables_choice_but_does_not_make_the_tenant_index_redundant():
    class Current(TenantOwned):
        name = models.CharField(max_length=20)
        ended = models.BooleanField(default=False)

        class Meta:
            app_label = "dueapp"
            constraints = [
                models.UniqueConstraint(fields=["tenant", "name"], condition=Q(ended=False), name="c_one_current")
            ]

    class CurrentIndexed(TenantOwned):
        tenant = tenant_key(indexed=True)
        name = models.CharField(max_length=20)
        ended = models.BooleanField(default=False)

        class Meta:
            app_label = "dueapp"
            constraints = [
                models.UniqueConstraint(fields=["tenant", "name"], condition=Q(ended=False), name="ci_one_current")
            ]

    assert ids(Current) == []
    assert ids(CurrentIndexed) == []
