from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/delete/", views.PlanDeleteView.as_view(), name="plan_delete"),
    path("<int:plan_id>/beneficiaries/add/", views.beneficiary_add, name="beneficiary_add"),
    path(
        "beneficiaries/<int:beneficiary_id>/remove/", views.BeneficiaryRemoveView.as_view(), name="beneficiary_remove"
    ),
    path("<int:plan_id>/credits/", views.credit_list, name="credit_list"),
    path("<int:plan_id>/calculations/", views.calculation_list, name="calculation_list"),
    path("<int:plan_id>/calculations/run/", views.calculation_run, name="calculation_run"),
    path(
        "calculations/<int:calculation_id>/release/",
        views.CalculationReleaseView.as_view(),
        name="calculation_release",
    ),
    path("calculations/<int:calculation_id>/delete/", views.CalculationDeleteView.as_view(), name="calculation_delete"),
    path("<int:plan_id>/rewards/", views.reward_list, name="reward_list"),
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
]
