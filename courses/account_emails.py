"""Account unlock email: when django-axes locks an account after repeated failed logins, the
person gets a link to set a new password. Sent whatever their course enrollments (expired
learners included): account emails are never suppressed."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_scopes import scopes_disabled

from tenancy.models import User

from .models import Email
from .services.notifications import absolute_url, deliver_account_email


def send_account_unlock(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """Receiver of axes' ``user_locked_out``. Unknown or deactivated accounts get nothing (no
    way to probe which addresses exist); one email per account per lockout hour."""
    if not username:
        return
    with scopes_disabled():
        user = User.objects.filter(email__iexact=username.strip(), is_active=True).first()
        if user is None:
            return
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = absolute_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}), request)
        deliver_account_email(
            user,
            email=Email.ACCOUNT_UNLOCK,
            key=f"lockout:{timezone.now():%Y%m%d%H}",
            extra={"reset_url": link, "cooloff_hours": settings.AXES_COOLOFF_TIME},
        )


class UnlockAfterPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its ``password_changed`` hook (Django calls it when a
    password is saved): setting a new password through the unlock email's link also lifts the
    lockout at once, instead of after the cool-off. Validates nothing itself."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.email:
            from axes.utils import reset

            reset(username=user.email)

    def get_help_text(self) -> str:
        return "Setting a new password also unlocks your account if too many failed log-ins locked it."
