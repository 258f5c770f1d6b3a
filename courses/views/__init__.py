"""Views of the courses app, one module per page family: the Learning admin pages (``courses``:
the course list, a course's Users panel with Edit and Enroll; ``versions``; ``user_groups``; ``sales_orders``:
sales orders, the CSV import and the NetSuite connection), ``learner`` (a learner's own pages),
``coach`` (a manager's team) and ``dashboard`` (the client admin dashboard, the Organization
Report and the course email log)."""
