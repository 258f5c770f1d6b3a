from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner program tiers"

    def ready(self) -> None:
        from activity.links import register_object_page
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        # Registers the delayed recalculation with the due-work sweep (common.due).
        from . import services  # noqa: F401
        from .jobs import register_jobs
        from .views.portal import register_enrollment_pages

        register(
            NavItem("Partner Management", "Partner Program Tiers", "partners:program_list", C.PARTNER_TIERS, order=400)
        )
        register_enrollment_pages()
        register_jobs()
        register_object_page("PartnerEnrollment", "partners:enrollment_detail", "enrollment_id")
