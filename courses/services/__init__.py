"""Writes of the courses app: one function per action, each atomic, each recorded in the activity
log, each safe to call twice. Mass changes are set-based UPDATEs (one entry with the count).

One module per page family (``courses``: courses, versions and the Users panel's Edit and
Enroll; ``user_groups``; ``sales_orders``: hand edits, the CSV import and the NetSuite sync;
``learner``: what a learner does on their own pages; ``versions``: a course's Versions page),
plus ``expiry`` (the sweep, and the reconciliation every end-date change ends in),
``notifications`` (every course email) and ``expiry_notices`` (the notices before access ends)."""
