"""API keys: services, the Settings > API keys pages, and the create_api_key command."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from activity.models import ActivityEntry
from api.keys import hash_key
from api.models import ApiKey
from api.services import create_api_key, revoke_api_key
from tests.conftest import login
from tests.factories import member


def url(tenant, name, **kw):
    return reverse(f"api_keys:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.mark.django_db
class TestCreateApiKey:
    def test_stores_only_a_hash_and_records_without_the_key(self, tenant, admin_member):
        created = create_api_key(tenant=tenant, user=admin_member.user, name=" Power BI ", actor=admin_member.user)
        key = created.api_key
        assert key.name == "Power BI" and key.prefix == created.key[:12]
        assert key.key_hash == hash_key(created.key) and created.key not in key.key_hash
        assert not ApiKey.objects.filter(key_hash=created.key).exists()
        entry = ActivityEntry.objects.get(tenant=tenant, object_type="ApiKey", action="create")
        assert entry.actor == admin_member.user
        assert created.key not in str(entry.changes) and created.key not in entry.object_label

    def test_refuses_non_administrators(self, tenant):
        rep = member(tenant, "Sales Rep")
        with pytest.raises(ValidationError, match="administrators only"):
            create_api_key(tenant=tenant, user=rep.user, name="x", actor=rep.user)
        assert not ApiKey.objects.exists()

    def test_refuses_a_member_of_another_tenant(self, tenant, outsider):
        with pytest.raises(ValidationError):
            create_api_key(tenant=tenant, user=outsider.user, name="x", actor=None)

    def test_two_keys_differ(self, tenant, admin_member):
        a = create_api_key(tenant=tenant, user=admin_member.user, name="a", actor=None)
        b = create_api_key(tenant=tenant, user=admin_member.user, name="a", actor=None)
        assert a.key != b.key and a.api_key.key_hash != b.api_key.key_hash


@pytest.mark.django_db
def test_revoke_is_idempotent_and_recorded_once(tenant, admin_member, api_key):
    assert revoke_api_key(api_key.api_key, actor=admin_member.user) is True
    assert revoke_api_key(api_key.api_key, actor=admin_member.user) is False
    api_key.api_key.refresh_from_db()
    assert api_key.api_key.revoked_at is not None and api_key.api_key.revoked_by == admin_member.user
    entries = ActivityEntry.objects.filter(tenant=tenant, object_type="ApiKey", verb="revoke")
    assert entries.count() == 1
    assert api_key.key not in str(entries.get().changes)


@pytest.mark.django_db
class TestPages:
    def test_list_shows_prefix_never_the_key(self, admin_client, tenant, api_key):
        response = admin_client.get(url(tenant, "key_list"))
        assert response.status_code == 200
        body = response.content.decode()
        assert api_key.api_key.prefix in body and api_key.key not in body
        assert "/w/acme-test/odata/" in body

    def test_list_query_count_is_the_same_at_n_and_3n(
        self, admin_client, tenant, admin_member, django_assert_num_queries
    ):
        def fill(n):
            for i in range(n):
                create_api_key(tenant=tenant, user=admin_member.user, name=f"k{i}", actor=None)

        fill(5)
        # session, membership with its user, page (under a page of keys: no COUNT)
        with django_assert_num_queries(3) as ctx:
            admin_client.get(url(tenant, "key_list"))
        fill(10)
        with django_assert_num_queries(len(ctx.captured_queries)):
            response = admin_client.get(url(tenant, "key_list"), {"status": "active"})
        assert response.status_code == 200

    def test_create_shows_the_key_once(self, admin_client, tenant, admin_member):
        response = admin_client.post(url(tenant, "key_create"), {"name": "Excel"})
        assert response.status_code == 200
        key = ApiKey.objects.get(tenant=tenant)
        body = response.content.decode()
        assert key.prefix in body and "shown only once" in body
        assert response["Cache-Control"] == "no-store"
        assert key.user == admin_member.user
        assert key.key_hash not in admin_client.get(url(tenant, "key_list")).content.decode()

    def test_create_with_a_blank_name_changes_nothing(self, admin_client, tenant):
        response = admin_client.post(url(tenant, "key_create"), {"name": "   "})
        assert response.status_code == 200
        assert b"This field is required" in response.content or b"Give the key a name" in response.content
        assert not ApiKey.objects.exists()

    def test_revoke_confirms_then_revokes(self, admin_client, tenant, api_key):
        target = url(tenant, "key_revoke", api_key_id=api_key.api_key.pk)
        response = admin_client.get(target, headers={"HX-Request": "true"})
        assert response.status_code == 200 and b"stop working at once" in response.content
        response = admin_client.post(target)
        assert response.status_code == 302
        api_key.api_key.refresh_from_db()
        assert api_key.api_key.revoked_at is not None

    @pytest.mark.parametrize("role", ["Sales Rep", "Manager", "Client Admin"])
    def test_non_administrators_get_403(self, client, tenant, api_key, role):
        login(client, member(tenant, role))
        assert client.get(url(tenant, "key_list")).status_code == 403
        assert client.post(url(tenant, "key_create"), {"name": "x"}).status_code == 403
        assert client.post(url(tenant, "key_revoke", api_key_id=api_key.api_key.pk)).status_code == 403
        assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None

    def test_settings_managers_without_administer_get_403(self, client, tenant):
        from tests.factories import RoleFactory

        role = RoleFactory(tenant=tenant, name="Settings only", capabilities=["manage_settings"])
        login(client, member(tenant, role_name="Settings only", role=role))
        assert client.get(url(tenant, "key_list")).status_code == 403

    def test_left_pane_entry_for_administrators_only(self, client, admin_client, tenant):
        home = reverse("workspace_home", kwargs={"tenant_slug": tenant.slug})
        assert b"API keys" in admin_client.get(home).content
        login(client, member(tenant, "Manager"))
        assert b"API keys" not in client.get(home).content


@pytest.mark.django_db
class TestCommand:
    def test_prints_a_working_key(self, tenant, admin_member, capsys, client):
        call_command("create_api_key", tenant.slug, admin_member.user.email.upper(), "--name", "Nightly export")
        key = capsys.readouterr().out.strip()
        api_key = ApiKey.objects.get(tenant=tenant)
        assert api_key.key_hash == hash_key(key) and api_key.name == "Nightly export"
        root = reverse("api:service_root", kwargs={"tenant_slug": tenant.slug})
        assert client.get(root, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert ActivityEntry.objects.get(object_type="ApiKey").actor is None

    def test_refuses_non_administrators(self, tenant):
        rep = member(tenant, "Sales Rep")
        with pytest.raises(CommandError, match="not an active administrator"):
            call_command("create_api_key", tenant.slug, rep.user.email, "--name", "x")
        assert not ApiKey.objects.exists()

    def test_unknown_workspace_or_user(self, tenant, admin_member):
        with pytest.raises(CommandError, match="No workspace"):
            call_command("create_api_key", "nope", admin_member.user.email, "--name", "x")
        with pytest.raises(CommandError, match="No user"):
            call_command("create_api_key", tenant.slug, "nobody@example.test", "--name", "x")
