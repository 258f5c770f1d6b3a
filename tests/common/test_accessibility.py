"""The accessible building blocks every page shares: progress bars screen readers can read, the
skip link and the live region that says a list's new row count (the browser checks are in
tests/e2e/a11y.py, run by the browser sweep, and test_keyboard_e2e.py)."""

import pytest
from django.template.loader import render_to_string

from common.templatetags.portal import bar_percent, width_class


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 0), ("", 0), ("junk", 0), (-5, 0), (37.6, 38), (100, 100), (250, 100)]
)
def test_bar_percent_is_a_whole_number_within_0_and_100(value, expected):
    assert bar_percent(value) == expected
    assert width_class(value) == f"w-{expected}"


def test_progress_bar_has_its_role_value_and_name():
    html = render_to_string("components/progress.html", {"percent": 66.4, "label": "Progress to Build"})
    assert 'role="progressbar"' in html
    assert 'aria-label="Progress to Build"' in html
    assert 'aria-valuemin="0" aria-valuemax="100" aria-valuenow="66" aria-valuetext="66%"' in html
    assert 'class="w-66"' in html
    assert "met" not in html.split('role="progressbar"')[0]


@pytest.mark.parametrize("context", [{"percent": 120}, {"percent": 5, "met": True}])
def test_progress_bar_is_green_once_met(context):
    assert 'class="progress met"' in render_to_string("components/progress.html", {"label": "x", **context})


def test_progress_bar_short_of_its_goal_is_not_green():
    assert 'class="progress"' in render_to_string("components/progress.html", {"label": "x", "percent": 99.4})


def test_every_page_has_a_skip_link_to_the_content_and_a_live_region(client):
    html = client.get("/accounts/login/").content.decode()
    assert html.index('<a class="skip-link" href="#content">Skip to content</a>') < html.index("<main")
    assert '<main class="content" id="content" tabindex="-1">' in html
    assert '<div id="live-status" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>' in html
