"""The partner app's long work, run as jobs (the jobs app): Recalculate all of a program, and the
partner-data CSV imports (see partners.imports). Registered from ``PartnersConfig.ready``."""

from django.urls import reverse

from jobs import registry
from jobs.imports import ImportKind, register_import
from jobs.selectors import recent_jobs
from jobs.services import start_job
from tenancy.capabilities import Capability

from .imports import COLUMNS, ENROLLMENT_COLUMNS, EnrollmentImporter, PartnerDataImporter
from .models import PartnerProgram
from .services import recalculate_program_in_batches

RECALCULATE_ALL = "partners.recalculate_all"


def _run_recalculate_all(job, progress) -> str:
    program = PartnerProgram.objects.filter(tenant=job.tenant, pk=job.target_id).first()
    if program is None:
        raise LookupError("the program was deleted")
    n = recalculate_program_in_batches(program, actor=job.started_by, progress=progress)
    return f"Recalculated {n} enrollment{'s' if n != 1 else ''}."


def _program_page(job) -> str:
    return reverse("partners:program_detail", kwargs={"tenant_slug": job.tenant.slug, "program_id": job.target_id})


def _page(name: str):
    return lambda slug: reverse(name, kwargs={"tenant_slug": slug})


# The partner-data CSV imports: kind -> (noun, import page, list page).
IMPORT_PAGES = {
    "opportunities": ("opportunities", "partners:opportunity_import", "partners:opportunity_list"),
    "leads": ("deal registrations", "partners:lead_import", "partners:lead_list"),
    "courses": ("course assignments", "partners:course_import", "partners:course_list"),
}
IMPORTS: dict[str, ImportKind] = {
    kind: ImportKind(
        name=f"partners.import.{kind}",
        noun=noun,
        columns=["id", *COLUMNS[kind].split(",")],
        capability=Capability.PARTNER_TIERS,
        importer=lambda tenant, actor, kind=kind: PartnerDataImporter(kind, tenant, actor),
        page_url=_page(page),
        list_url=_page(list_page),
    )
    for kind, (noun, page, list_page) in IMPORT_PAGES.items()
}
# Bulk enroll: the rules of Enroll per row; the import enrolls every row or none.
IMPORTS["enrollments"] = ImportKind(
    name="partners.import.enrollments",
    noun="enrollments",
    columns=ENROLLMENT_COLUMNS.split(","),
    required=tuple(c for c in ENROLLMENT_COLUMNS.split(",") if c != "tier"),
    capability=Capability.PARTNER_TIERS,
    importer=EnrollmentImporter,
    page_url=_page("partners:enrollment_import"),
    list_url=_page("partners:enrollment_list"),
)


def register_jobs() -> None:
    for kind in IMPORTS.values():
        register_import(kind)
    registry.register(
        registry.JobKind(
            name=RECALCULATE_ALL,
            label="Recalculate all",
            run=_run_recalculate_all,
            capability=Capability.PARTNER_TIERS,
            back_url=_program_page,
        )
    )


def start_recalculate_all(program: PartnerProgram, *, actor):
    """Recalculate all, in the background; a second click while it runs gets the running job."""
    return start_job(tenant=program.tenant, kind=RECALCULATE_ALL, target=program, actor=actor)


def recalculate_all_jobs(program: PartnerProgram):
    return recent_jobs(
        tenant=program.tenant_id, kinds=[RECALCULATE_ALL], target_type="PartnerProgram", target_id=program.pk
    )
