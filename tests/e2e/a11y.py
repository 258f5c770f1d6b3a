"""Accessibility checks of one page, run by the browser sweep (test_sweep_e2e.py) on every kind of
page each demo login reaches: axe-core against the WCAG 2.x A and AA rules, then again with each
of the page's dialogs open (opened with Enter, closed with Escape, the focus back on the opener).
Each page must also fit a 390 px wide phone and a 200% zoom (a 720 px wide window at twice the
pixels) without horizontal scrolling, except inside a wide table's own scroller."""

from collections import Counter
from urllib.parse import urlparse

from playwright.sync_api import expect

from .crawl import kind_of

# The WCAG 2.x A and AA rules, plus axe's check that no table header is empty (an action column
# has a visually hidden header, so a screen reader names the column).
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "rules": {"empty-table-header": {"enabled": True}},
}
IMPACTS = ("critical", "serious", "moderate", "minor")
DESKTOP = {"width": 1440, "height": 900}
NARROW = ({"width": 390, "height": 844}, {"width": 720, "height": 450})  # a phone; 1440x900 at 200%

# The document scrolls sideways, or something sticks out past the right edge of the window
# while not inside an element that scrolls it (a wide table's .table-scroll).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    const out = [...document.querySelectorAll("main *")].filter(el => {
      const box = el.getBoundingClientRect();
      if (box.right <= width + 1 || box.width === 0) { return false; }
      for (let up = el.parentElement; up; up = up.parentElement) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) { return false; }
      }
      return true;
    });
    const top = out.filter(el => !out.includes(el.parentElement));
    return top.slice(0, 3).map(el => el.outerHTML.slice(0, 100)).concat(top.length ? [] : ["the page"]);
  }
  return [];
}"""


def violations(axe, page, where, found: Counter, problems):
    for rule in axe.run(page, options=WCAG_AA).response["violations"]:
        found[rule["impact"]] += len(rule["nodes"])
        for node in rule["nodes"][:5]:
            target = " ".join(node["target"])
            problems.append(f"{where}: {rule['impact']} {rule['id']} at {target}: {node['html'][:120]}")


def check_narrow(page, url, problems):
    for size in NARROW:
        page.set_viewport_size(size)
        for html in page.evaluate(OVERFLOW):
            problems.append(f"{url} at {size['width']} px: scrolls sideways: {html}")
    page.set_viewport_size(DESKTOP)


def dialog_openers(page, opened: set[str]) -> list:
    """One button or link per kind of dialog not opened yet on an earlier page."""
    openers = []
    for opener in page.locator("[hx-target='#modal'][hx-get]:visible").all():
        kind = kind_of(urlparse(opener.get_attribute("hx-get")).path)
        if kind and kind not in opened:
            opened.add(kind)
            openers.append(opener)
    return openers


def check_dialogs(axe, page, url, opened, found, problems) -> int:
    count = 0
    for opener in dialog_openers(page, opened):
        label = opener.inner_text().strip()
        opener.focus()
        opener.press("Enter")
        dialog = page.locator("#modal dialog[open]")
        try:
            expect(dialog).to_be_visible(timeout=5_000)
        except AssertionError:
            continue  # a button that needs a choice first (the Users panel's Edit with none ticked)
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-added')")
        count += 1
        violations(axe, page, f"{url} with the {label!r} dialog open", found, problems)
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        if not opener.evaluate("el => el === document.activeElement"):
            problems.append(f"{url}: closing the {label!r} dialog did not give the focus back to its opener")
    return count
