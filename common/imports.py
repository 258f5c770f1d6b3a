"""File-level checks shared by every CSV import (partners' opportunities, leads and course
assignments; courses' sales orders), before django-import-export sees a row: a file it cannot
make sense of is refused as a whole, with a message, instead of previewing as "0 new"."""

import codecs
import csv
import io
from collections.abc import Callable, Iterator

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
    headers = check_header(dataset.headers or [], columns=columns, required=required)
    if not any(any(str(v or "").strip() for v in row) for row in dataset):
        raise ImportFileError("The file has a header row but no rows to import.")
    dataset.headers = headers
    return dataset


def check_header(raw: list, *, columns: list[str], required: tuple[str, ...] = ()) -> list[str]:
    """The header row, stripped; refused when it names none of ``columns`` (no header), names a
    column twice, or misses a required one."""
    headers = [str(h or "").strip() for h in raw]
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
    return headers


def looks_like_utf8(head: bytes) -> bool:
    """The first bytes of an upload decode as UTF-8 (a cut multi-byte character at the end is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


class CsvFile:
    """A stored CSV read as a stream, a chunk of rows at a time, so a 100,000-row file never sits
    in memory whole. ``open_binary`` opens the file afresh (a count, then the rows). The file-level
    refusals of ``read_csv`` hold: no header, a repeated or missing column, no rows, not UTF-8."""

    def __init__(self, open_binary: Callable, *, columns: list[str], required: tuple[str, ...] = ()):
        self.open_binary = open_binary
        rows = self._rows()
        try:
            first = next(rows, None)
        finally:
            rows.close()
        if first is None:
            raise ImportFileError("The file is empty.")
        self.headers = check_header(first[1], columns=columns, required=required)
        self.total = sum(1 for _ in self.records())
        if not self.total:
            raise ImportFileError("The file has a header row but no rows to import.")

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        with self.open_binary() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            try:
                for row in reader:
                    if any(v.strip() for v in row):
                        yield reader.line_num, row
            except UnicodeDecodeError:
                raise ImportFileError("The file is not UTF-8 text; save it as CSV (UTF-8).") from None
            except csv.Error as exc:
                raise ImportFileError(f"This file is not a readable CSV ({exc}).") from None

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number in the file, values) of every row under the header."""
        rows = self._rows()
        next(rows, None)
        width = len(self.headers)
        for line, row in rows:
            if len(row) > width and any(v.strip() for v in row[width:]):
                raise ImportFileError(f"Line {line} has {len(row)} values; the header names {width} columns.")
            yield line, (row + [""] * width)[:width]

    def chunks(self, size: int = 1000) -> Iterator[tuple[list[int], tablib.Dataset]]:
        """(file line numbers, a dataset of up to ``size`` rows with the headers)."""
        lines, rows = [], []
        for line, row in self.records():
            lines.append(line)
            rows.append(row)
            if len(rows) == size:
                yield lines, tablib.Dataset(*rows, headers=self.headers)
                lines, rows = [], []
        if rows:
            yield lines, tablib.Dataset(*rows, headers=self.headers)
