from django.db import models

from tenancy.models import TenantOwned, tenant_key


class Widget(TenantOwned):
    tenant = tenant_key(indexed=True)
    name = models.CharField(max_length=50)
    due_at = models.DateTimeField(null=True, blank=True)
    due_version = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "dueapp"
