"""What the partner selectors share: the tenant-scoped lookup behind every ``access_*``."""

from django.http import Http404


def access_object(model, *, tenant, pk, for_update=False, qs=None, label="object"):
    qs = qs if qs is not None else model.objects.all()
    qs = qs.filter(tenant=tenant)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {label}.") from None
