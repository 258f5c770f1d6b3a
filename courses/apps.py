from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from activity.links import register_object_page
        from common.home import register_panel
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        from . import tasks  # noqa: F401 - registers every course task (the email ones too) in each process
        from .account_emails import send_account_unlock
        from .jobs import register_jobs
        from .panels import learner_panel, learning_admin_panel
        from .selectors.learner import has_courses

        register(NavItem("Learning", "Courses", "courses:course_list", C.MANAGE_LEARNING, order=500))
        register(NavItem("Learning", "Sales orders", "courses:sales_order_list", C.MANAGE_LEARNING, order=510))
        register(NavItem("Learning", "User groups", "courses:user_group_list", C.MANAGE_LEARNING, order=520))
        register(NavItem("My work", "My courses", "courses:learner_courses", C.LEARN, order=50, when=has_courses))
        register(NavItem("My work", "Coach", "courses:coach", C.COACH, order=60))
        register(NavItem("Learning", "Client dashboard", "courses:client_dashboard", C.CLIENT_DASHBOARD, order=530))
        register(NavItem("Learning", "Course emails", "courses:notification_log", C.MANAGE_LEARNING, order=540))
        register_panel(learner_panel, order=20)
        register_panel(learning_admin_panel, order=500)
        user_locked_out.connect(send_account_unlock, dispatch_uid="courses_account_unlock")
        register_object_page("Course", "courses:course_detail", "course_id")
        register_jobs()
