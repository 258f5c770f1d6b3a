from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity log"

    def ready(self) -> None:
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        register(NavItem("Activity", "Activity log", "activity:activity_list", C.VIEW_ACTIVITY, order=800))
