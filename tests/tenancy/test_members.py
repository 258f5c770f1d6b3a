import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from tenancy.models import Membership
from tests.conftest import login
from tests.factories import member


def url(tenant, name, **kw):
    return reverse(f"tenancy:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.mark.django_db
def test_member_list_costs_the_same_queries_at_n_and_3n(admin_client, tenant, django_assert_num_queries):
    def fill(n):
        for _ in range(n):
            member(tenant, "Sales Rep")

    fill(10)
    # session, membership with its user, role choices, page (11 members: no COUNT)
    with django_assert_num_queries(4) as ctx:
        admin_client.get(url(tenant, "member_list"))
    fill(20)
    with django_assert_num_queries(len(ctx.captured_queries) + 1):  # and the COUNT of a full first page
        response = admin_client.get(url(tenant, "member_list"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_member_list_htmx_returns_the_table_partial(admin_client, tenant):
    response = admin_client.get(url(tenant, "member_list"), {"q": "example"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="table-container"' in response.content
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_add_member_validates_and_records(admin_client, tenant, admin_member):
    role = admin_member.role
    response = admin_client.post(url(tenant, "member_add"), {"email": "not-an-email", "full_name": "", "role": role.pk})
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert Membership.objects.filter(tenant=tenant).count() == 1

    response = admin_client.post(
        url(tenant, "member_add"), {"email": "New@Example.test", "full_name": "New Person", "role": role.pk}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(tenant=tenant, user__email="new@example.test").exists()
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Membership", action="create")
    assert entry.actor == admin_member.user and entry.object_label == "new@example.test"

    response = admin_client.post(
        url(tenant, "member_add"), {"email": "new@example.test", "full_name": "Again", "role": role.pk}
    )
    assert b"already a member" in response.content


@pytest.mark.django_db
def test_role_from_another_tenant_is_not_a_valid_choice(admin_client, tenant, other_tenant):
    foreign = member(other_tenant, "Sales Rep").role
    response = admin_client.post(
        url(tenant, "member_add"), {"email": "x@example.test", "full_name": "X", "role": foreign.pk}
    )
    assert b"Select a valid choice" in response.content


@pytest.mark.django_db
def test_edit_member_deactivates_and_logs_changes(admin_client, tenant):
    rep = member(tenant, "Sales Rep")
    response = admin_client.post(url(tenant, "member_edit", membership_id=rep.pk), {"role": rep.role.pk, "title": "AE"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.is_active is False and rep.title == "AE"
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Membership", action="update")
    assert entry.changes["is_active"] == [True, False]


@pytest.mark.django_db
def test_manager_cycle_is_refused(admin_client, tenant, admin_member):
    rep = member(tenant, "Sales Rep", manager=admin_member)
    response = admin_client.post(
        url(tenant, "member_edit", membership_id=admin_member.pk),
        {"role": admin_member.role.pk, "is_active": "on", "manager": rep.pk},
    )
    assert b"reports to them" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role_name", ["Sales Rep", "Learner", "Partner User", "Manager", "Client Admin"])
def test_settings_need_the_capability(client, tenant, role_name):
    login(client, member(tenant, role_name))
    assert client.get(url(tenant, "member_list")).status_code == 403
    assert client.get(url(tenant, "role_list")).status_code == 403


@pytest.mark.django_db
def test_roles_create_and_edit(admin_client, tenant):
    response = admin_client.post(url(tenant, "role_add"), {"name": "Auditor", "capabilities": ["view_activity"]})
    assert response.status_code == 302
    response = admin_client.post(url(tenant, "role_add"), {"name": "auditor", "capabilities": []})
    assert b"already exists" in response.content
    response = admin_client.post(url(tenant, "role_add"), {"name": "Bad", "capabilities": ["fly"]})
    assert b"Select a valid choice" in response.content


@pytest.mark.django_db
def test_left_pane_shows_only_what_the_role_allows(client, tenant):
    login(client, member(tenant, "Sales Rep"))
    response = client.get(reverse("workspace_home", kwargs={"tenant_slug": tenant.slug}))
    assert b"Activity log" not in response.content and b"Members" not in response.content
    client.force_login(member(tenant, "Administrator").user)
    response = client.get(reverse("workspace_home", kwargs={"tenant_slug": tenant.slug}))
    assert b"Activity log" in response.content and b"Members" in response.content


@pytest.mark.django_db
def test_role_edit_saves_the_rename_and_the_revoked_capability(admin_client, tenant):
    from tenancy.models import Role

    admin_client.post(url(tenant, "role_add"), {"name": "Auditor", "capabilities": ["view_activity", "manage_plans"]})
    role = Role.objects.get(tenant=tenant, name="Auditor")
    response = admin_client.post(
        url(tenant, "role_edit", role_id=role.pk), {"name": "Plan auditor", "capabilities": ["view_activity"]}
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.name, role.capabilities) == ("Plan auditor", ["view_activity"])
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Role", action="update")
    assert entry.changes == {
        "name": ["Auditor", "Plan auditor"],
        "capabilities": [str(["manage_plans", "view_activity"]), str(["view_activity"])],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"role": "Sales Rep", "is_active": "on"}, {"role": "Administrator"}])
def test_the_last_active_administrator_cannot_demote_or_deactivate_themselves(
    admin_client, tenant, admin_member, change
):
    role = member(tenant, change["role"]).role if change["role"] != "Administrator" else admin_member.role
    data = {**change, "role": role.pk}
    response = admin_client.post(url(tenant, "member_edit", membership_id=admin_member.pk), data)
    assert response.status_code == 200
    assert b"the last active administrator" in response.content
    admin_member.refresh_from_db()
    assert admin_member.is_active and admin_member.role.name == "Administrator"
    # With a second active administrator, the same change is allowed.
    member(tenant, "Administrator")
    assert admin_client.post(url(tenant, "member_edit", membership_id=admin_member.pk), data).status_code == 302


@pytest.mark.django_db
def test_roles_list_shows_capability_labels_not_codes(admin_client, tenant):
    admin_client.post(url(tenant, "role_add"), {"name": "Auditor", "capabilities": ["view_activity"]})
    html = admin_client.get(url(tenant, "role_list"), {"q": "Auditor"}).content.decode()
    from tenancy.capabilities import Capability

    assert str(Capability.VIEW_ACTIVITY.label) in html and "view_activity" not in html
