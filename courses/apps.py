from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        register(NavItem("Learning", "Courses", "courses:course_list", C.MANAGE_LEARNING, order=500))
        register(NavItem("Learning", "Sales orders", "courses:sales_order_list", C.MANAGE_LEARNING, order=510))
        register(NavItem("Learning", "User groups", "courses:user_group_list", C.MANAGE_LEARNING, order=520))
