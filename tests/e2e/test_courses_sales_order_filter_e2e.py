"""Browser test of the client dashboard's Sales order filter: the box suggests the workspace's
orders as one types (fetched on demand, none rendered with the page: a client's NetSuite holds
thousands), and the number chosen filters the list."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import SalesOrder
from tests.courses.factories import SalesOrderFactory, course_with_modules, enroll
from tests.e2e.suggestions import choose_suggested
from tests.e2e.test_courses_learner_e2e import log_in
from tests.factories import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_client_admin_filters_the_dashboard_by_a_sales_order_suggested_as_they_type(page, live_server, tenant):
    admin = member(tenant, "Client Admin", user__email="clientadmin@acme-test.test")
    course = course_with_modules(tenant, modules=1, name="Negotiation Basics")
    ann = member(tenant, "Learner", user__email="ann@acme-test.test", user__full_name="Ann Initech")
    bob = member(tenant, "Learner", user__email="bob@acme-test.test", user__full_name="Bob Globex")
    SalesOrder.objects.filter(pk=enroll(course, ann).sales_order_id).update(tran_id="SO-10560", customer="Initech")
    SalesOrder.objects.filter(pk=enroll(course, bob).sales_order_id).update(tran_id="SO-20001", customer="Globex")
    for i in range(30):
        SalesOrderFactory(tenant=tenant, tran_id=f"SO-9{i:04}", customer="Umbrella")

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Client dashboard").click()
    expect(page.locator("#row-count")).to_contain_text("2 rows")
    shown = re.compile(r"^SO-10560 \(Initech\), ends ")
    choose_suggested(page, label="Sales order", typed="1056", value="SO-10560", shown=shown, count=1)
    expect(page.locator("#row-count")).to_contain_text("1 row")
    body = page.locator("table.table tbody")
    expect(body).to_contain_text("Ann Initech")
    expect(body).not_to_contain_text("Bob Globex")
