from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions_task() -> None:
    """Delete expired sessions (Django's clearsessions), hourly from beat."""
    management.call_command("clearsessions")
