from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Sales incentive plans"

    def ready(self) -> None:
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        register(NavItem("Plans", "All Plans", "plans:plan_list", C.VIEW_PLANS, order=200))
        register(NavItem("Plans", "Teams", "plans:team_list", C.VIEW_PLANS, order=210))
