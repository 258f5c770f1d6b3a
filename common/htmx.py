"""htmx helpers (after NetBox's utilities/htmx.py)."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def htmx_partial(request) -> bool:
    """A partial swap: an htmx request that is not a boosted full-page navigation, nor htmx
    restoring a page on Back that its history cache no longer holds (it asks for the whole page
    and puts it in the body: a partial there would leave the table alone on the screen)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(request, template: str, context: dict, *, partial: str | None = None, status: int = 200):
    """Render the page, or only ``template#partial`` for an htmx swap; the response varies on it."""
    name = f"{template}#{partial}" if partial and htmx_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
