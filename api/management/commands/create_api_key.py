"""``python manage.py create_api_key <tenant-slug> <email> --name NAME``: prints the key once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from api.services import create_api_key
from tenancy.models import Tenant, User


class Command(BaseCommand):
    help = "Create an OData API key for an administrator of a workspace and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("tenant_slug")
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="What the key is for.")

    def handle(self, *args, tenant_slug, email, name, **options):
        tenant = Tenant.objects.filter(slug=tenant_slug).first()
        if tenant is None:
            raise CommandError(f"No workspace with slug “{tenant_slug}”.")
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with email “{email}”.")
        with scope(tenant=tenant):
            try:
                # A command has no acting user in the portal: the activity log shows "system".
                created = create_api_key(tenant=tenant, user=user, name=name, actor=None)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(created.key)
        self.stderr.write(
            f"Created API key “{created.api_key.name}” for {user.email} in {tenant.slug}. "
            "Store it now: it cannot be shown again."
        )
