"""Views of the Learning section: courses and their Users panel (views.courses), sales orders,
the CSV import and the NetSuite connection (views.sales_orders)."""
