"""Property-based: generated junk thrown at the forms behind every workspace URL, and at the OData
query options, never gets a 500, and a refused request writes nothing (issue 18, tests).

The form walker visits every URL pattern under /w/<slug>/ (as tests/test_isolation.py does), reads
the field names of the page's forms, and posts junk for them as an administrator. Hypothesis runs
derandomized with a fixed number of examples, so a run never depends on the day."""

import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.test_isolation import SESSION_URLS, _objects_of, _url

FUZZ = settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    str(2**63),
    str(2**64),
    "-" + str(2**70),
    "1e309",
    "NaN",
    "1" + "0" * 40,
    "0.0000000001",
    "2026-02-30",
    "99999-12-31",
    "01/02/2026",
    "\x00",
    "'; DROP TABLE plans_plan; --",
    '=HYPERLINK("http://evil.example")',
    "<script>alert(1)</script>",
    "x" * 5000,
    "on",
    "true",
    "\u202e\u0000\ud7ff",
]
junk_value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))
# Names forms use beyond what a page shows (hidden inputs of a second step, ticked rows).
EXTRA_NAMES = ["confirm", "payload", "csv_text", "enrollment", "all_matching", "next", "action", "id"]
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")


def _tables():
    """Every table of the project's apps: a refused request must leave each row count as it was."""
    names = {"common", "tenancy", "activity", "plans", "enrollments", "balances", "partners", "courses", "api"}
    return [m for m in apps.get_models() if m._meta.app_label in names and m._meta.managed]


def _counts(models):
    """Row counts of ``models``, in one query (the walker takes them before and after each post)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables))  # noqa: S608 - our tables
        return dict(zip([m._meta.label for m in models], cursor.fetchone(), strict=True))


def _refused(response) -> bool:
    """An error status, or the form shown again with errors."""
    if response.status_code >= 400:
        return True
    form = (response.context or {}).get("form") if response.status_code == 200 else None
    return bool(form is not None and getattr(form, "errors", None))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names"), SESSION_URLS, ids=[n for n, _ in SESSION_URLS])
def test_junk_posted_to_every_workspace_form_is_never_a_500(client, tenant, admin_member, name, kwarg_names):
    url = _url(name, tenant, _objects_of(tenant, kwarg_names))
    login(client, admin_member)
    page = client.get(url)
    html = page.content.decode(errors="replace") if not page.streaming else ""
    names = sorted({n for n in FIELD.findall(html) if n != "csrfmiddlewaretoken"} | set(EXTRA_NAMES))
    models = _tables()
    if client.post(url, {}).status_code == 405:
        return  # a page without a POST handler: nothing to throw junk at

    @FUZZ
    @given(st.dictionaries(st.sampled_from(names), st.lists(junk_value, min_size=1, max_size=3), min_size=1))
    def post_junk(data):
        cache.clear()
        before = _counts(models)
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        if _refused(response):
            assert _counts(models) == before, (url, data)

    post_junk()


# --- OData ---------------------------------------------------------------------------------------

SETS = {
    "Users": ["Id", "Email", "FullName", "Role", "IsActive", "Title", "ManagerId", "MemberSince"],
    "RecoverableBalances": ["Id", "UserId", "UserEmail", "Currency", "Balance", "RecoverableRewards", "LastRewardAt"],
    "Rewards": ["Id", "Amount", "Currency", "Plan/Name", "User/Email"],
}
TOKENS = [
    "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "add", "sub", "mul", "div", "mod", "in",
    "(", ")", ",", "'a'", "''", "'", "null", "true", "false", "0", "-1", "1.5", "1e309", str(2**64),
    "2026-01-01", "2026-13-45", "2026-01-01T00:00:00Z", "contains(", "startswith(", "tolower(", "now()",
    "any(", "x:", "/", "$it", "@p", "Plan/", "Nope", "length(", "cast(", "'\x00'", "Edm.Int64",
]  # fmt: skip


LITERALS = ["0", "1", "-1", str(2**63), str(2**64), "1e309", "1.5", "'a'", "''", "null", "true", "2026-01-01",
            "2026-01-01T00:00:00Z", "('a','b')", "(1)"]  # fmt: skip


def _expression(prop_names):
    """Token soup, and well-formed expressions that reach the database: comparisons, arithmetic,
    functions, combined and nested, including the very deep and the very long."""
    prop, literal = st.sampled_from(prop_names), st.sampled_from(LITERALS)
    comparator = st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le", "in"])
    arithmetic = st.sampled_from(["add", "sub", "mul", "div", "mod"])
    atom = st.one_of(
        st.builds("{} {} {}".format, prop, comparator, literal),
        st.builds("{} {} {} {} {}".format, prop, arithmetic, literal, comparator, literal),
        st.builds("{}({}, {})".format, st.sampled_from(["contains", "startswith", "endswith"]), prop, literal),
        st.builds("{}({}) eq {}".format, st.sampled_from(["tolower", "toupper", "length", "year"]), prop, literal),
    )
    combined = st.recursive(
        atom,
        lambda inner: st.one_of(
            st.builds("{} and {}".format, inner, inner),
            st.builds("{} or {}".format, inner, inner),
            st.builds("not ({})".format, inner),
        ),
        max_leaves=6,
    )
    deep = st.builds(lambda n, a: "not " * n + a, st.sampled_from([1, 49, 51, 500]), atom)
    long = st.builds(lambda n, a: " and ".join([a] * n), st.sampled_from([2, 40, 330]), atom)
    word = st.one_of(st.sampled_from(TOKENS), prop, st.text(max_size=8))
    soup = st.lists(word, max_size=25).map(" ".join)
    return st.one_of(combined, deep, long, combined, soup, st.text(max_size=60))


@st.composite
def odata_request(draw):
    entity_set = draw(st.sampled_from(sorted(SETS)))
    props = SETS[entity_set]
    options = {}
    if draw(st.booleans()):
        # Half the time the filter alone, so a junk option next to it cannot hide its fate.
        return entity_set, {"$filter": draw(_expression(props))}
    if draw(st.booleans()):
        options["$filter"] = draw(_expression(props))
    if draw(st.booleans()):
        options["$orderby"] = draw(
            st.one_of(
                st.lists(st.sampled_from([*props, "desc", "asc", ",", "Nope"]), max_size=5).map(" ".join),
                st.text(max_size=20),
            )  # fmt: skip
        )
    if draw(st.booleans()):
        options["$select"] = draw(
            st.one_of(
                st.lists(st.sampled_from([*props, "*", "Nope", ""]), max_size=5).map(",".join), st.text(max_size=20)
            )  # fmt: skip
        )
    for option in ("$top", "$skip"):
        if draw(st.booleans()):
            options[option] = draw(st.one_of(st.sampled_from(HOSTILE), st.integers().map(str)))
    if draw(st.booleans()):
        options["$count"] = draw(st.sampled_from(["true", "false", "maybe"]))
    return entity_set, options


@pytest.mark.django_db
def test_junk_query_options_are_never_a_500_and_write_nothing(client, tenant, admin_member):
    from api.services import create_api_key

    key = create_api_key(tenant=tenant, user=admin_member.user, name="fuzz", actor=admin_member.user).key
    headers = {"Authorization": f"Bearer {key}"}
    models = _tables()

    @settings(FUZZ, max_examples=40)
    @given(odata_request())
    def query(request):
        entity_set, options = request
        cache.clear()  # the per-key rate limit is not under test here
        before = _counts(models)
        response = client.get(f"/w/{tenant.slug}/odata/{entity_set}", options, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code in (200, 400), (entity_set, options, response.status_code)
        assert _counts(models) == before

    query()
