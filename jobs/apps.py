from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from activity.links import register_object_page
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        register(NavItem("Settings", "Jobs", "jobs:job_list", C.MANAGE_SETTINGS, order=930))
        register_object_page("Job", "jobs:job_detail", "job_id")
