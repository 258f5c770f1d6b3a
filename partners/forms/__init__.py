"""Forms of the partner pages, one module per page family (config, data, enrollments)."""
