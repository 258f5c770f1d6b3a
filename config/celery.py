import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _worker_statement_timeout(**kwargs):
    """Workers run the long work web requests hand over: their own statement limit (default none),
    set before the pool starts so that every pool process inherits it."""
    from django.conf import settings

    from common import statement_timeout

    statement_timeout.use(settings.WORKER_STATEMENT_TIMEOUT)
