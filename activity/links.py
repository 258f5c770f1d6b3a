"""Where an activity entry leads: each app registers how to link what it records (from its
``AppConfig.ready``), so the activity app knows no other app and an entry of a mass action
(Reset Enrollments, the expiry sweep, Recalculate all) links to what it touched."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Link:
    label: str
    url: str


# object_type -> (tenant slug, object id) -> URL of that object's page
_OBJECT_PAGES: dict[str, Callable[[str, str], str]] = {}
# verb -> entry -> extra links (e.g. a reset's acceptances in the enrollment history)
_ENTRY_LINKS: dict[str, Callable[[object], list[Link]]] = {}


def register_object_page(object_type: str, url_name: str, kwarg: str) -> None:
    def url(slug: str, object_id: str) -> str:
        return reverse(url_name, kwargs={"tenant_slug": slug, kwarg: object_id})

    _OBJECT_PAGES[object_type] = url


def register_entry_links(verb: str, links: Callable[[object], list[Link]]) -> None:
    _ENTRY_LINKS[verb] = links


def object_url(entry, object_id) -> str:
    page = _OBJECT_PAGES.get(entry.object_type)
    if page is None or object_id in ("", None):
        return ""
    try:
        return page(entry.tenant.slug, str(object_id))
    except NoReverseMatch:  # an id that is not a number where the URL wants one
        return ""


def entry_links(entry) -> list[Link]:
    links = _ENTRY_LINKS.get(entry.verb)
    return links(entry) if links else []
