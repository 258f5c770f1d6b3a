from django.apps import AppConfig


class BalancesConfig(AppConfig):
    name = "balances"
