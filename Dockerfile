FROM python:3.13-slim
# Production settings unless the container is told otherwise: they refuse to start without
# SECRET_KEY and ALLOWED_HOSTS, where the local settings would run with DEBUG on and a known key.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
RUN pip install --no-cache-dir . \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost PORTAL_BASE_URL=http://localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CACHE_URL=locmemcache:// python manage.py collectstatic --noinput
RUN useradd --create-home portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
