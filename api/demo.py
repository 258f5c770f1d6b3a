"""Demo: a known API key for admin@acme.test, so the README's curl example works at once.
Demo only, like the demo passwords; real keys are random and shown once."""

from .keys import display_prefix, hash_key
from .models import ApiKey

DEMO_KEY = "odk_demo-acme-admin-readonly-key"  # noqa: S105 - demo only, printed on screen by design


def seed(ctx) -> None:
    tenant = ctx.tenants["acme"]
    admin = ctx.member("acme", "admin@acme.test").user
    ApiKey.objects.get_or_create(
        key_hash=hash_key(DEMO_KEY),
        defaults={
            "tenant": tenant,
            "user": admin,
            "name": "Demo key (README examples)",
            "prefix": display_prefix(DEMO_KEY),
        },
    )
    if ctx.stdout is not None:
        ctx.stdout.write(f"    OData feed /w/acme/odata/ — demo key for admin@acme.test: {DEMO_KEY}")
