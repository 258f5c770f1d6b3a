from django.urls import path

from . import views

app_name = "balances"
urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("export/", views.user_export, name="user_export"),
    path("draw/", views.draw_add, name="draw_add"),
    path("me/", views.my_balance, name="my_balance"),
    path("<int:membership_id>/", views.user_detail, name="user_detail"),
    path("<int:membership_id>/clear/", views.BalanceClearView.as_view(), name="balance_clear"),
    path("<int:membership_id>/rewards/add/", views.reward_add, name="reward_add"),
    path("clears/<int:clear_id>/undo/", views.UndoClearView.as_view(), name="undo_clear"),
]
