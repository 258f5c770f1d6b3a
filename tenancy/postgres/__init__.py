"""PostgreSQL as the third tenant wall: the database backend that keeps each connection's role and
``app.tenant_id`` in step with the django-scopes scope (``base``), the migration operation that
puts row-level security and distribution-ready keys on every tenant table (``operations``), the
system check that refuses a tenant table without its policy (``checks``) and the Citus plan
(``citus``). On SQLite none of it applies; the middleware and django-scopes remain."""
