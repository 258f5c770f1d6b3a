"""Demo API key for admin@acme.test.

With DEBUG on (``make run``) the key is the fixed one the README's curl examples use. Anywhere
else a published key would open the workspace to anyone who read the README, so the first seed
creates a random key and prints it once (only its hash is stored), and a published key left by an
earlier seed is revoked."""

from django.conf import settings

from .keys import display_prefix, hash_key
from .models import ApiKey
from .services import create_api_key, revoke_api_key

DEMO_KEY = "odk_demo-acme-admin-readonly-key"  # noqa: S105 - demo only, printed on screen by design
DEMO_KEY_NAME = "Demo key (README examples)"


def seed(ctx) -> None:
    tenant = ctx.tenants["acme"]
    admin = ctx.member("acme", "admin@acme.test").user
    published = ApiKey.objects.filter(key_hash=hash_key(DEMO_KEY)).first()
    if settings.DEBUG:
        if published is None:
            ApiKey.objects.create(
                tenant=tenant,
                user=admin,
                name=DEMO_KEY_NAME,
                prefix=display_prefix(DEMO_KEY),
                key_hash=hash_key(DEMO_KEY),
            )
        _say(ctx, f"demo key for admin@acme.test: {DEMO_KEY}")
        return
    if published is not None:
        revoke_api_key(published, actor=admin)
    demo_keys = ApiKey.objects.filter(tenant=tenant, user=admin, name=DEMO_KEY_NAME, revoked_at__isnull=True)
    if demo_keys.exclude(key_hash=hash_key(DEMO_KEY)).exists():
        return  # made and printed by an earlier seed; it is not stored in clear, so it cannot be shown again
    created = create_api_key(tenant=tenant, user=admin, name=DEMO_KEY_NAME, actor=admin)
    _say(ctx, f"API key for admin@acme.test (shown once, store it now): {created.key}")


def _say(ctx, text: str) -> None:
    if ctx.stdout is not None:
        ctx.stdout.write(f"    OData feed /w/acme/odata/ — {text}")
