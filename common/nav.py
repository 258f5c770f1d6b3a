"""The left pane. Each app registers its entries in ``AppConfig.ready``; the pane shows an entry
only when the member's role holds its capability, so the menu and the views agree."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse

SECTION_ORDER = [
    "My work",
    "Plans",
    "Users",
    "Partner Management",
    "Learning",
    "Activity",
    "Settings",
]


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    capability: str
    order: int = 100
    # Shown when the member holds ANY of these (in addition to ``capability``), e.g. the partner
    # pages for both Administrators and the Partner Program Tiers Access role.
    also: tuple[str, ...] = ()
    # Shown only when this also holds for the member: an entry with nothing behind it for them
    # (My courses for someone enrolled in no course) stays out of the menu.
    when: Callable[[object], bool] | None = None


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _items:
        _items.append(item)
        _items.sort(key=lambda i: i.order)


@lru_cache(maxsize=4096)
def _url(url_name: str, tenant_slug: str) -> str | None:
    """The entry's address in a workspace: the same on every request, so reversed once (some 40
    reverse() calls were a measurable share of every page's time)."""
    try:
        return reverse(url_name, kwargs={"tenant_slug": tenant_slug})
    except NoReverseMatch:
        return None


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _url.cache_clear()


def items_for(membership, tenant_slug: str, current_path: str) -> list[dict]:
    """Sections with their visible entries, in display order."""
    sections: dict[str, list[dict]] = {}
    for item in _items:
        if not any(membership.has(cap) for cap in (item.capability, *item.also)):
            continue
        if item.when is not None and not item.when(membership):
            continue
        url = _url(item.url_name, tenant_slug)
        if url is None:
            continue
        sections.setdefault(item.section, []).append(
            {"label": item.label, "url": url, "active": current_path.startswith(url)}
        )
    ordered = [s for s in SECTION_ORDER if s in sections] + [s for s in sections if s not in SECTION_ORDER]
    return [{"name": s, "entries": sections[s]} for s in ordered]
