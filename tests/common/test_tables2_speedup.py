from django_tables2 import utils

from common.tables2_speedup import cached_signature


class _Table:
    def render_name(self, value, record):
        return value

    def value_other(self, **kwargs):
        return kwargs


def test_installed_and_same_answers_as_inspect():
    assert utils.signature is cached_signature
    table = _Table()
    assert cached_signature(table.render_name) == (("value", "record"), None)
    assert cached_signature(_Table().render_name) == (("value", "record"), None)  # cached per function
    assert cached_signature(table.value_other) == ((), "kwargs")
    assert cached_signature(lambda record: record) == (("record",), None)


def test_call_with_appropriate_still_filters_arguments():
    table = _Table()
    assert utils.call_with_appropriate(table.render_name, {"value": 1, "record": 2, "column": 3}) == 1
    assert utils.call_with_appropriate(table.render_name, {"value": 1}) is None
