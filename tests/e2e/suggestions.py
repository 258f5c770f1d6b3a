"""The suggesting filter box (``common.widgets.SearchableSelect``) as a person uses it: nothing
suggested with the page, the suggestions fetched as one types, one chosen."""

import re

from playwright.sync_api import expect

from .test_platform_e2e import htmx_ready


def choose_suggested(page, *, label: str, typed: str, value: str, shown: str | re.Pattern, count: int) -> None:
    """Type ``typed`` into the box labelled ``label``: ``count`` suggestions appear, the one of
    ``value`` showing ``shown``; choose ``value`` and leave the box, which submits the filters."""
    # Typed before htmx has bound the box, the keystrokes would fetch nothing (seen in CI).
    htmx_ready(page)
    box = page.get_by_label(label)
    options = page.locator(f"#{box.get_attribute('list')} option")
    expect(options).to_have_count(0)  # nothing rendered with the page
    box.press_sequentially(typed)
    expect(options).to_have_count(count)
    expect(options.and_(page.locator(f"[value='{value}']"))).to_have_text(shown)
    box.fill(value)
    box.press("Tab")  # the change submits the filters
