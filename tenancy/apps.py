from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from common.nav import NavItem, register

        from .capabilities import Capability as C

        register(NavItem("Settings", "Members", "tenancy:member_list", C.MANAGE_SETTINGS, order=900))
        register(NavItem("Settings", "Roles", "tenancy:role_list", C.MANAGE_SETTINGS, order=910))
        register(NavItem("Settings", "Notices", "tenancy:notice_settings", C.MANAGE_SETTINGS, order=920))
