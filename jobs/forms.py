"""The upload of a file that a job will read (an import): refused at once, next to the field,
when it is over the size limit (the IMPORT_MAX_UPLOAD_MB setting) or not UTF-8 text."""

import csv

from django import forms
from django.conf import settings

from common.imports import ImportFileError, check_header, looks_like_utf8


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A CSV file (UTF-8) with a header row.")

    def __init__(self, *args, columns: list[str] | None = None, required: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.columns, self.required = columns, required

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit_mb = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {limit_mb} MB. "
                "Split it into smaller files and import them one by one."
            )
        head = upload.read(64 * 1024)
        upload.seek(0)
        if not looks_like_utf8(head):
            raise forms.ValidationError("The file is not UTF-8 text; save it as CSV (UTF-8).")
        if self.columns:  # the header row, at once; the rows are the job's
            first = head.decode("utf-8-sig", errors="ignore").lstrip().splitlines()[:1]
            try:
                check_header(next(csv.reader(first), []), columns=self.columns, required=self.required)
            except ImportFileError as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload
