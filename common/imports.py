"""File-level checks shared by every CSV import (partners' opportunities, leads and course
assignments; courses' sales orders), before django-import-export sees a row: a file it cannot
make sense of is refused as a whole, with a message, instead of previewing as "0 new"."""

import csv

import tablib
from tablib.exceptions import InvalidDimensions


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message tells the user what to fix."""


def read_csv(text: str, *, columns: list[str], required: tuple[str, ...] = ()) -> tablib.Dataset:
    """Parse ``text`` into a dataset whose first row names its columns.

    Refused: an empty file; a first row naming none of ``columns`` (the header is missing, so the
    first record would silently become it); a column named twice (which value wins is anyone's
    guess); a required column missing; a header with no rows under it."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("The file is empty.")
    try:
        dataset = tablib.Dataset().load(text, format="csv")
    except (csv.Error, InvalidDimensions, UnicodeError) as exc:
        raise ImportFileError(f"This file is not a readable CSV ({exc}).") from None
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    if not any(h in columns for h in headers):
        raise ImportFileError(
            f"The first row must name the columns ({', '.join(columns)}); this file has no header row."
        )
    seen = set()
    for name in headers:
        if name and name.lower() in seen:
            raise ImportFileError(f"The column “{name}” appears more than once; keep one.")
        seen.add(name.lower())
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportFileError(f"The first row must name the columns; missing: {', '.join(missing)}.")
    if not any(any(str(v or "").strip() for v in row) for row in dataset):
        raise ImportFileError("The file has a header row but no rows to import.")
    dataset.headers = headers
    return dataset
