from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("<int:entry_id>/", views.entry_detail, name="entry_detail"),
    path("actors/", views.actor_suggestions, name="actor_suggestions"),
]
