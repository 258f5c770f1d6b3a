import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()

# Web requests get the statement limit; commands and workers set their own (config.celery).
from django.conf import settings  # noqa: E402

from common import statement_timeout  # noqa: E402

statement_timeout.use(settings.STATEMENT_TIMEOUT)
