"""Reads of the courses app, one module per page family: ``courses`` (the course list and a
course's Users panel, learners), ``user_groups``, ``sales_orders`` (with the NetSuite
connection), ``learner`` (a learner's own pages), ``versions`` (a course's Versions page and the version
editor), ``coach`` and ``dashboard`` (the client admin
dashboard and its Organization Report). Each is a tenant-scoped queryset with the joins its page
needs; ``access_<model>`` lookups answer 404 for missing and foreign rows alike."""
