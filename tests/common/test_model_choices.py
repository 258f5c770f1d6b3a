"""A select's model choices are read by one plain SELECT (common/model_choices.py): the same
choices as Django's and django-filter's iterators give, never through ``queryset.iterator()``
(on PostgreSQL a server-side cursor: three round trips), and read afresh on every render."""

import django_filters
import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django_filters import fields as filter_fields
from django_scopes import scope

from common.fields import ModelMultipleChoiceField
from common.filters import TenantFilterSet
from common.model_choices import ChoicesInOneStatement, FilterChoicesInOneStatement, TenantChoices
from courses.filters import DashboardFilter
from courses.models import Course, CourseEnrollment
from courses.selectors.courses import COURSE_CHOICES
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def _form(tenant):
    courses = Course.objects.filter(tenant=tenant).order_by("name")

    class Pick(forms.Form):
        one = forms.ModelChoiceField(queryset=courses)
        required = forms.ModelChoiceField(queryset=courses, empty_label=None)
        many = ModelMultipleChoiceField(queryset=courses, required=False)

    return Pick


class CourseFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.none(), null_label="No course")
    courses = django_filters.ModelMultipleChoiceFilter(field_name="course", queryset=Course.objects.none())

    class Meta:
        model = CourseEnrollment
        fields = ["course", "courses"]

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("course", "courses"):
            self.filters[name].queryset = Course.objects.filter(tenant=tenant).order_by("name")


def _choices(field) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in field.choices]


def test_the_fields_use_it():
    assert forms.ModelChoiceField.iterator is ChoicesInOneStatement
    assert forms.ModelMultipleChoiceField.iterator is ChoicesInOneStatement
    assert filter_fields.ModelChoiceField.iterator is FilterChoicesInOneStatement
    assert filter_fields.ModelMultipleChoiceField.iterator is FilterChoicesInOneStatement


def test_the_same_choices_as_the_stock_iterators(tenant, other_tenant, monkeypatch):
    for name in ("Beta <b>", "Alpha", "Gamma & co"):
        CourseFactory(tenant=tenant, name=name)
    CourseFactory(tenant=other_tenant, name="Foreign")
    form = _form(tenant)()
    filters = CourseFilter(queryset=CourseEnrollment.objects.none(), tenant=tenant).form
    fields = [form.fields["one"], form.fields["required"], form.fields["many"], *filters.fields.values()]
    ours = [_choices(field) for field in fields]

    monkeypatch.setattr(forms.ModelChoiceField, "iterator", forms.models.ModelChoiceIterator)
    monkeypatch.setattr(filter_fields.ModelChoiceField, "iterator", filter_fields.ModelChoiceIterator)
    monkeypatch.setattr(filter_fields.ModelMultipleChoiceField, "iterator", filter_fields.ModelChoiceIterator)
    assert ours == [_choices(field) for field in fields]
    alpha = str(Course.objects.get(name="Alpha").pk)
    assert ours[0][0][0] == "" and ours[0][1] == (alpha, "Alpha")  # the empty choice, then by name
    assert ours[1][0] == (alpha, "Alpha")  # no empty choice
    assert ours[3][1] == ("null", "No course")  # django-filter's null choice after the empty one
    assert "Foreign" not in {label for _, label in ours[0]}


def test_a_select_reads_its_choices_in_one_statement_without_a_cursor(tenant, monkeypatch):
    CourseFactory.create_batch(3, tenant=tenant)

    def no_cursor(self, *args, **kwargs):
        raise AssertionError("choices read through QuerySet.iterator()")

    monkeypatch.setattr(QuerySet, "iterator", no_cursor)
    form = _form(tenant)()
    filters = DashboardFilter(queryset=CourseEnrollment.objects.none(), tenant=tenant).form
    for field in (form["one"], form["many"], filters["course"], filters["group"]):
        with CaptureQueriesContext(connection) as queries:
            html = str(field)
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert queries[0]["sql"].startswith("SELECT")  # not DECLARE … CURSOR
        assert "<option" in html


def test_each_render_reads_the_rows_afresh(tenant):
    CourseFactory(tenant=tenant, name="First")
    form = _form(tenant)()
    assert "First" in str(form["one"])
    CourseFactory(tenant=tenant, name="Added later")
    assert "Added later" in str(form["one"])
    assert not form.fields["one"].queryset._result_cache  # nothing kept on the field


def test_tenant_choices_list_what_their_queryset_lists_by_a_statement_compiled_once(tenant, other_tenant):
    """A filter's ``choose_from``: the workspace's rows, read afresh on each render, one statement
    each time, built and compiled on the first render only."""
    built = []

    def courses(tenant_id):
        built.append(tenant_id)
        return Course.objects.filter(tenant_id=tenant_id).order_by("name")

    choices = TenantChoices(courses)

    class Chosen(TenantFilterSet):
        course = django_filters.ModelChoiceFilter(queryset=None)

        class Meta:
            model = CourseEnrollment
            fields = ["course"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.choose_from(course=choices)

    for name in ("Beta <b>", "Alpha"):
        CourseFactory(tenant=tenant, name=name)
    CourseFactory(tenant=other_tenant, name="Foreign")
    field = Chosen(queryset=CourseEnrollment.objects.none(), tenant=tenant).form.fields["course"]
    with scope(tenant=tenant):  # as in a request of the workspace
        listed = _choices(field)
        CourseFactory(tenant=tenant, name="Added later")
        with CaptureQueriesContext(connection) as queries:
            again = _choices(Chosen(queryset=CourseEnrollment.objects.none(), tenant=tenant).form.fields["course"])
    assert len(queries) == 1
    assert [label for _, label in listed] == ["---------", "Alpha", "Beta <b>"]
    assert [label for _, label in again] == ["---------", "Added later", "Alpha", "Beta <b>"]
    stock = Chosen(queryset=CourseEnrollment.objects.none(), tenant=tenant).form.fields["course"]
    del stock.listed_rows
    assert _choices(stock) == again  # the queryset's own listing
    # Built twice on the first render (the two sets of markers); the checking queryset once per
    # workspace, each filter set given a copy (so the course added later is listed and checked).
    assert len([t for t in built if t < 0]) == 2 and len([t for t in built if t > 0]) == 1


def test_a_value_chosen_is_checked_by_the_queryset(tenant, other_tenant):
    mine, foreign = CourseFactory(tenant=tenant), CourseFactory(tenant=other_tenant)
    for course, valid in ((mine, True), (foreign, False)):
        filters = DashboardFilter({"course": str(course.pk)}, queryset=CourseEnrollment.objects.none(), tenant=tenant)
        assert filters.is_valid() is valid
        assert ("course" in filters.errors) is not valid


def test_choose_from_comes_before_the_form_is_built(tenant):
    class Late(TenantFilterSet):
        course = django_filters.ModelChoiceFilter(queryset=Course.objects.none())

        class Meta:
            model = CourseEnrollment
            fields = ["course"]

    filters = Late(queryset=CourseEnrollment.objects.none(), tenant=tenant)
    assert filters.form is not None
    with pytest.raises(ImproperlyConfigured, match="before the filter form is built"):
        filters.choose_from(course=COURSE_CHOICES)
