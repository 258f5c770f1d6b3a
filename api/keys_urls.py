from django.urls import path

from . import keys_views

app_name = "api_keys"
urlpatterns = [
    path("", keys_views.ApiKeyListView.as_view(), name="key_list"),
    path("new/", keys_views.key_create, name="key_create"),
    path("<int:api_key_id>/revoke/", keys_views.ApiKeyRevokeView.as_view(), name="key_revoke"),
]
