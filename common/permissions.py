"""Capability checks for views. Every view states the capability it needs."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404


def member_has(request, capability: str | None, also: tuple[str, ...] = ()) -> bool:
    membership = getattr(request, "membership", None)
    if membership is None:
        return False
    if capability is None:
        return membership.is_active
    return any(membership.has(cap) for cap in (capability, *also))


def check_capability(request, capability: str | None, also: tuple[str, ...] = ()) -> None:
    if getattr(request, "membership", None) is None:
        raise Http404("No such workspace.")
    if not member_has(request, capability, also):
        raise PermissionDenied("Your role does not allow this page.")


def capability_required(capability: str | None, *also: str):
    """Decorator for function views: ``@capability_required(Capability.MANAGE_PLANS)``.

    ``None`` means any active member of the workspace."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_capability(request, capability, also)
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


class CapabilityRequiredMixin:
    """For class-based views: set ``capability`` (and optionally ``also_capabilities``)."""

    capability: str | None = "administer"
    also_capabilities: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        check_capability(request, self.capability, self.also_capabilities)
        return super().dispatch(request, *args, **kwargs)
