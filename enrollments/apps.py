from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollments"
    verbose_name = "Plan enrollments"

    def ready(self) -> None:
        from activity.links import register_entry_links
        from common.home import register_panel
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        from .panels import plans_to_enroll_panel
        from .views import reset_links, undo_reset_links

        register(NavItem("My work", "My plans", "enrollments:my_plans", C.MY_PLANS, order=100))
        register_panel(plans_to_enroll_panel, order=100)
        register_entry_links("reset enrollments", reset_links)
        register_entry_links("undo reset enrollments", undo_reset_links)
