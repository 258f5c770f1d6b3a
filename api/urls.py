from django.urls import path, register_converter

from . import views


class EntitySetConverter:
    regex = r"[A-Za-z_]\w*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class EntityKeyConverter:
    """What stands between the parentheses of ``Users(42)`` or ``Users(Id=42)``."""

    regex = r"[^/()]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(EntitySetConverter, "odataset")
register_converter(EntityKeyConverter, "odatakey")

app_name = "api"
urlpatterns = [
    path("", views.service_root, name="service_root"),
    path("$metadata", views.metadata, name="metadata"),
    path("$batch", views.batch, name="batch"),
    path("<odataset:entity_set>/$count", views.entity_count, name="entity_count"),
    path("<odataset:entity_set>(<odatakey:entity_key>)", views.entity, name="entity"),
    path("<odataset:entity_set>(<odatakey:entity_key>)/<path:path>", views.entity_path, name="entity_path"),
    path("<odataset:entity_set>", views.entity_collection, name="entity_collection"),
    # Everything else under the service root answers an OData error, never an HTML page.
    path("<path:odata_path>", views.unknown_resource, name="unknown_resource"),
]
