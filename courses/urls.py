from django.urls import path

from .views import coach, courses, dashboard, learner, sales_orders, user_groups, versions

app_name = "courses"
urlpatterns = [
    path("courses/", courses.CourseListView.as_view(), name="course_list"),
    path("courses/<int:course_id>/", courses.CourseUsersView.as_view(), name="course_detail"),
    path("courses/<int:course_id>/edit/", courses.enrollments_edit, name="enrollments_edit"),
    path("courses/<int:course_id>/enroll/", courses.enroll, name="enroll"),
    path("courses/<int:course_id>/versions/", versions.course_versions, name="course_versions"),
    path("versions/<int:version_id>/", versions.version_edit, name="version_edit"),
    path("user-groups/", user_groups.UserGroupListView.as_view(), name="user_group_list"),
    path("user-groups/add/", user_groups.user_group_add, name="user_group_add"),
    path("user-groups/<int:user_group_id>/edit/", user_groups.user_group_edit, name="user_group_edit"),
    path("sales-orders/", sales_orders.SalesOrderListView.as_view(), name="sales_order_list"),
    path("sales-orders/add/", sales_orders.sales_order_add, name="sales_order_add"),
    path("sales-orders/import/", sales_orders.sales_order_import, name="sales_order_import"),
    path("sales-orders/sync/", sales_orders.SalesOrderSyncView.as_view(), name="sales_order_sync"),
    path("sales-orders/netsuite/", sales_orders.netsuite_settings, name="netsuite_settings"),
    path("sales-orders/<int:sales_order_id>/edit/", sales_orders.sales_order_edit, name="sales_order_edit"),
    # Learner pages, Coach, client dashboard, course emails (issue 8).
    path("my/", learner.my_courses, name="learner_courses"),
    path("my/<int:course_id>/", learner.course_home, name="learner_course"),
    path("my/<int:course_id>/today/", learner.today, name="learner_today"),
    path("my/<int:course_id>/learn/", learner.learn, name="learner_learn"),
    path(
        "my/<int:course_id>/learn/<int:module_id>/complete/",
        learner.complete_module,
        name="learner_complete_module",
    ),
    path("my/<int:course_id>/practice/", learner.practice, name="learner_practice"),
    path("my/<int:course_id>/apply/", learner.apply, name="learner_apply"),
    path("my/<int:course_id>/results/", learner.results, name="learner_results"),
    path("coach/", coach.coach, name="coach"),
    path("dashboard/", dashboard.ClientDashboardView.as_view(), name="client_dashboard"),
    path("dashboard/report/", dashboard.organization_report, name="organization_report"),
    path("dashboard/sales-orders/", dashboard.sales_order_suggestions, name="sales_order_suggestions"),
    path("emails/", dashboard.NotificationLogView.as_view(), name="notification_log"),
]
