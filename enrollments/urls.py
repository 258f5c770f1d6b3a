from django.urls import path

from . import views

app_name = "enrollments"
# Mounted under plans/ beside plans.urls: these routes must not clash with those.
urlpatterns = [
    path("<int:plan_id>/beneficiaries/", views.beneficiary_list, name="beneficiary_list"),
    path("<int:plan_id>/beneficiaries/reset/", views.ResetEnrollmentsView.as_view(), name="reset_enrollments"),
    path("<int:plan_id>/enrollment-history/", views.enrollment_history, name="enrollment_history"),
    path("enrollment-resets/<int:reset_id>/undo/", views.UndoResetView.as_view(), name="undo_reset"),
    path("my/", views.my_plans, name="my_plans"),
    path("my/<int:plan_id>/", views.my_plan, name="my_plan"),
]
