from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner program tiers"

    def ready(self) -> None:
        from common.nav import NavItem, register
        from tenancy.capabilities import Capability as C

        # Registers the delayed recalculation with the due-work sweep (common.due).
        from . import services  # noqa: F401
        from .views.portal import register_enrollment_pages

        register(
            NavItem("Partner Management", "Partner Program Tiers", "partners:program_list", C.PARTNER_TIERS, order=400)
        )
        register_enrollment_pages()
