from django.urls import path, re_path

from . import views

app_name = "api"
urlpatterns = [
    path("", views.service_root, name="service_root"),
    path("$metadata", views.metadata, name="metadata"),
    re_path(r"^(?P<entity_set>[A-Za-z_]\w*)/\$count$", views.entity_count, name="entity_count"),
    re_path(r"^(?P<entity_set>[A-Za-z_]\w*)\((?P<entity_key>[^/]*)\)$", views.entity, name="entity"),
    re_path(r"^(?P<entity_set>[A-Za-z_]\w*)$", views.entity_collection, name="entity_collection"),
]
