from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from common.nav import NavItem, register

        from .capabilities import Capability as C
        from .data_version import connect_signals
        from .postgres import checks  # noqa: F401 - registers the check
        from .postgres.roles import grant_app_role

        register(NavItem("Settings", "Members", "tenancy:member_list", C.MANAGE_SETTINGS, order=900))
        register(NavItem("Settings", "Roles", "tenancy:role_list", C.MANAGE_SETTINGS, order=910))
        register(NavItem("Settings", "Notices", "tenancy:notice_settings", C.MANAGE_SETTINGS, order=920))
        connect_signals()
        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="tenancy.grant_app_role")
