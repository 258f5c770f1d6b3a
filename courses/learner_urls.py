"""URLs of the learner pages, the Coach page, the client admin dashboard and the course email
log (mounted under /w/<slug>/learning/ with the rest of the courses app)."""

from django.urls import path

from . import coach_views, dashboard_views, learner_views

urlpatterns = [
    path("my/", learner_views.my_courses, name="learner_courses"),
    path("my/<int:course_id>/", learner_views.course_home, name="learner_course"),
    path("my/<int:course_id>/today/", learner_views.today, name="learner_today"),
    path("my/<int:course_id>/learn/", learner_views.learn, name="learner_learn"),
    path(
        "my/<int:course_id>/learn/<int:module_id>/complete/",
        learner_views.complete_module,
        name="learner_complete_module",
    ),
    path("my/<int:course_id>/practice/", learner_views.practice, name="learner_practice"),
    path("my/<int:course_id>/apply/", learner_views.apply, name="learner_apply"),
    path("my/<int:course_id>/results/", learner_views.results, name="learner_results"),
    path("coach/", coach_views.coach, name="coach"),
    path("dashboard/", dashboard_views.ClientDashboardView.as_view(), name="client_dashboard"),
    path("dashboard/report/", dashboard_views.organization_report, name="organization_report"),
    path("emails/", dashboard_views.NotificationLogView.as_view(), name="notification_log"),
]
