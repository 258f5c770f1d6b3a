"""The streamed CSV reader behind the import jobs: the file is read a chunk at a time, with each
row's line in the file, and the file-level refusals of the whole-file reader."""

import io

import pytest

from common.imports import CsvFile, ImportFileError

COLUMNS = ["account", "name"]


def csv_file(data: bytes, **kwargs) -> CsvFile:
    return CsvFile(lambda: io.BytesIO(data), columns=COLUMNS, **kwargs)


def test_chunks_carry_the_file_lines_and_skip_blank_lines():
    source = csv_file(b'\xef\xbb\xbfaccount,name\nA,1\n\nB,"two\nlines"\nC,3\n')
    assert source.headers == COLUMNS and source.total == 3
    chunks = list(source.chunks(2))
    assert [lines for lines, _ in chunks] == [[2, 5], [6]]
    assert [list(r) for r in chunks[0][1]] == [["A", "1"], ["B", "two\nlines"]]


def test_a_short_row_is_padded_and_a_long_one_refused():
    assert [list(r) for _, ds in csv_file(b"account,name\nA\n").chunks() for r in ds] == [["A", ""]]
    with pytest.raises(ImportFileError, match="Line 3 has 3 values; the header names 2 columns."):
        list(csv_file(b"account,name\nA,1\nB,2,3\n").chunks())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"account,name\n\n", "no rows to import"),
        (b"x,y\n1,2\n", "no header row"),
        (b"account,name,Account\n", "appears more than once"),
        (b"account,name\nA,1\nM\xfcnchen,2\n", "not UTF-8"),
    ],
)
def test_file_level_refusals(data, message):
    with pytest.raises(ImportFileError, match=message):
        list(csv_file(data).chunks())


def test_a_required_column_missing():
    with pytest.raises(ImportFileError, match="missing: name"):
        csv_file(b"account\nA\n", required=("name",))
