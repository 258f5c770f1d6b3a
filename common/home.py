"""Workspace home panels. An app registers ``panel(request) -> dict | None``; a dict has
``template`` and the context it needs, and the home page shows it. Registered in ``ready()``."""

from collections.abc import Callable

_panels: list[tuple[int, Callable]] = []


def register_panel(func: Callable, order: int = 100) -> None:
    if all(f is not func for _, f in _panels):
        _panels.append((order, func))


def panels_for(request) -> list[dict]:
    out = []
    for _, func in sorted(_panels, key=lambda p: p[0]):
        panel = func(request)
        if panel:
            out.append(panel)
    return out
