from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Sales incentive plans"

    def ready(self) -> None:
        from activity.links import register_object_page
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        register(NavItem("Plans", "All Plans", "plans:plan_list", C.VIEW_PLANS, order=200))
        register(NavItem("Plans", "Teams", "plans:team_list", C.VIEW_PLANS, order=210))
        register_object_page("Plan", "plans:plan_detail", "plan_id")
        register_object_page("Team", "plans:team_edit", "team_id")
