"""CSV imports as jobs. The upload is stored once (Django's storage, under the tenant, on the
preview job); the preview job checks every row in a worker and keeps a sample, the totals and an
error report; Confirm starts a second job that refers to the preview (no payload comes back from
the browser), imports every row in one transaction or none, and can be cancelled until it commits.

A domain app describes its import with an ``ImportKind`` whose ``importer(tenant, actor)`` returns
an object with ``run(dataset, *, dry_run, lines) -> list[(status, errors)]`` (one per row of the
chunk; ``lines`` are the rows' lines in the file)
and ``finish(totals)`` (what follows a committed import: marks, the activity entry)."""

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from common.imports import CsvFile

from . import registry
from .models import Job, JobState
from .progress import JobCancelled
from .services import start_job

CHUNK = 1000
SAMPLE_ROWS = 20
SHOWN_ERRORS = 200


@dataclass(frozen=True)
class ImportKind:
    name: str  # e.g. "partners.import.opportunities"; the jobs are <name>.preview and <name>.confirm
    noun: str  # "opportunities"
    columns: list[str]
    capability: str
    importer: Callable  # importer(tenant, actor) -> an object with run() and finish()
    page_url: Callable  # page_url(tenant_slug) -> the import page
    list_url: Callable  # list_url(tenant_slug) -> where the imported rows show
    required: tuple[str, ...] = ()

    @property
    def preview(self) -> str:
        return f"{self.name}.preview"

    @property
    def confirm(self) -> str:
        return f"{self.name}.confirm"


class ImportRefused(Exception):
    pass


class Summary:
    """Totals by status, a sample of rows and the rows with errors (shown, and as a CSV report)."""

    def __init__(self, headers: list[str]):
        self.headers = headers
        self.totals: Counter = Counter()
        self.rows = 0
        self.sample: list[dict] = []
        self.errors: list[dict] = []
        self.report = io.StringIO()
        self.writer = csv.writer(self.report)
        self.writer.writerow(["line", "errors", *headers])

    def add(self, lines: list[int], dataset, outcomes: list[tuple[str, list[str]]]) -> None:
        for line, values, (status, errors) in zip(lines, dataset, outcomes, strict=True):
            self.rows += 1
            self.totals["invalid" if errors else status] += 1
            row = {"line": line, "status": "invalid" if errors else status, "values": list(values), "errors": errors}
            if errors:
                self.writer.writerow([line, "; ".join(errors), *values])
                if len(self.errors) < SHOWN_ERRORS:
                    self.errors.append(row)
            elif len(self.sample) < SAMPLE_ROWS:
                self.sample.append(row)

    @property
    def failed(self) -> int:
        return self.totals["invalid"]

    def save(self, job: Job, stage: str) -> None:
        totals = {k: self.totals.get(k, 0) for k in ("new", "update", "skip", "invalid")}
        job.result_data = {
            "stage": stage,
            "to_import": totals["new"] + totals["update"],
            "totals": totals,
            "failed": self.failed,
            "rows": self.rows,
            "headers": self.headers,
            "shown": self.errors + self.sample[: max(0, SAMPLE_ROWS - len(self.errors))],
        }
        fields = ["result_data"]
        if self.failed:
            job.error_report.save("errors.csv", ContentFile(self.report.getvalue().encode("utf-8")), save=False)
            fields.append("error_report")
        job.save(update_fields=fields)


def _csv(kind: ImportKind, job: Job) -> CsvFile:
    return CsvFile(lambda: job.input_file.open("rb"), columns=kind.columns, required=kind.required)


def _counts(kind: ImportKind, totals: dict) -> str:
    return f"{totals.get('new', 0)} new, {totals.get('update', 0)} updated, {totals.get('skip', 0)} unchanged"


def run_preview(kind: ImportKind, job: Job, progress) -> str:
    """Check every row (a dry run, chunk by chunk, each rolled back); nothing is saved."""
    progress(0, None, phrase="Reading the file")
    source = _csv(kind, job)
    importer = kind.importer(job.tenant, job.started_by)
    summary = Summary(source.headers)
    progress(0, source.total, phrase="Checking rows")
    for lines, dataset in source.chunks(CHUNK):
        summary.add(lines, dataset, importer.run(dataset, dry_run=True, lines=lines))
        progress(summary.rows, source.total)
    summary.save(job, "preview")
    if summary.failed:
        return (
            f"{summary.failed} of {summary.rows} rows cannot be imported. Fix the file and upload it again; "
            "nothing has been saved."
        )
    return f"Ready: {_counts(kind, summary.totals)}. Nothing is saved until you confirm."


def run_confirm(kind: ImportKind, job: Job, progress) -> str:
    """Import every row in one transaction, or none: a row that fails now (the data changed since
    the preview) or Cancel rolls everything back."""
    preview = Job.objects.get(tenant=job.tenant, pk=job.target_id)
    source = _csv(kind, preview)
    importer = kind.importer(job.tenant, job.started_by)
    summary = Summary(source.headers)
    progress(0, source.total, phrase="Importing (all rows or none)")
    try:
        with transaction.atomic():
            for lines, dataset in source.chunks(CHUNK):
                summary.add(lines, dataset, importer.run(dataset, dry_run=False, lines=lines))
                if summary.failed:
                    raise ImportRefused()
                progress(summary.rows, source.total)
            importer.finish(dict(summary.totals))
    except ImportRefused:
        summary.save(job, "confirm")
        raise ImportRefused(
            f"line {summary.errors[0]['line']} cannot be imported now ({'; '.join(summary.errors[0]['errors'])}); "
            "the data changed since the preview. Nothing was saved."
        ) from None
    except JobCancelled:
        raise JobCancelled("Cancelled before the import committed; nothing was saved.") from None
    summary.save(job, "confirm")
    return f"Imported {kind.noun}: {_counts(kind, summary.totals)}."


def register_import(kind: ImportKind) -> ImportKind:
    def back(url):
        return lambda job: url(job.tenant.slug)

    registry.register(
        registry.JobKind(
            name=kind.preview,
            label=f"Import {kind.noun}: preview",
            run=lambda job, progress: run_preview(kind, job, progress),
            capability=kind.capability,
            result_template="jobs/_import_result.html",
            back_url=back(kind.page_url),
        )
    )
    registry.register(
        registry.JobKind(
            name=kind.confirm,
            label=f"Import {kind.noun}",
            run=lambda job, progress: run_confirm(kind, job, progress),
            capability=kind.capability,
            result_template="jobs/_import_result.html",
            back_url=back(kind.list_url),
        )
    )
    return kind


def start_import_preview(kind: ImportKind, *, tenant, actor, upload) -> Job:
    """Store the upload under the tenant and check it in the background."""
    import uuid

    job, _ = start_job(
        tenant=tenant,
        kind=kind.preview,
        actor=actor,
        target_type="Upload",
        target_id=uuid.uuid4().hex,
        label=(upload.name or "upload.csv")[:200],
        input_file=upload,
    )
    return job


def start_import_confirm(kind: ImportKind, preview: Job, *, actor) -> Job:
    """Import what was previewed. Once per preview: a second Confirm (a double click, the back
    button) gets the import already running or done, never a second import. Refused (ValueError)
    for a preview that has not ended well."""
    data = preview.result_data or {}
    if preview.kind != kind.preview or preview.state != JobState.SUCCEEDED or data.get("failed"):
        raise ValueError("Only a preview with no row errors can be imported; upload the file again.")
    done = (
        Job.objects.filter(tenant=preview.tenant, kind=kind.confirm, target_type="Job", target_id=str(preview.pk))
        .filter(state=JobState.SUCCEEDED)
        .first()
    )
    if done is not None:
        return done
    job, _ = start_job(
        tenant=preview.tenant,
        kind=kind.confirm,
        actor=actor,
        target_type="Job",
        target_id=str(preview.pk),
        label=preview.target_label,
    )
    return job
