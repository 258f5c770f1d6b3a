from django.contrib import admin

from .models import ActivityEntry


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "tenant", "actor", "action", "verb", "object_type", "object_label", "count")
    list_filter = ("action", "tenant")
    search_fields = ("object_label", "verb")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
