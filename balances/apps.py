from django.apps import AppConfig


class BalancesConfig(AppConfig):
    name = "balances"
    verbose_name = "Recoverable balances"

    def ready(self) -> None:
        from activity.links import register_entry_links
        from common.home import register_panel
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        from .panels import my_balance_panel
        from .views import clear_links

        register(NavItem("Users", "All Users", "balances:user_list", C.MANAGE_USERS, order=300))
        register(NavItem("My work", "My balance", "balances:my_balance", C.MY_PLANS, order=120))
        register_panel(my_balance_panel, order=120)
        register_entry_links("clear balance", clear_links)
