from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (registers system checks)
        from .statement_timeout import on_connection_created
        from .tables2_speedup import install

        install()
        connection_created.connect(on_connection_created, dispatch_uid="common.statement_timeout")
