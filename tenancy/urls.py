from django.urls import path

from . import views

app_name = "tenancy"
urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:membership_id>/edit/", views.member_edit, name="member_edit"),
    path("notices/", views.notice_settings, name="notice_settings"),
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("roles/add/", views.role_add, name="role_add"),
    path("roles/<int:role_id>/edit/", views.role_edit, name="role_edit"),
]
