from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "OData API"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        from . import sqljson  # noqa: F401  (registers its SQLite functions on each connection)

        # Each app declares its entity sets in <app>/odata.py.
        autodiscover_modules("odata")
        register(NavItem("Settings", "API keys", "api_keys:key_list", C.ADMINISTER, order=950))
