from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import (
            checks,  # noqa: F401  (registers system checks)
            model_choices,
            tables2_speedup,
        )
        from .statement_timeout import on_connection_created

        tables2_speedup.install()
        model_choices.install()
        connection_created.connect(on_connection_created, dispatch_uid="common.statement_timeout")
