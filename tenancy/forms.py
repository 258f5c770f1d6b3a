from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .capabilities import Capability
from .models import Membership, Role, Tenant
from .selectors import role_list, workspaces_for_user


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by email. A person with no active membership anywhere cannot log in."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
        "no_workspace": "Your account is not active in any workspace. Ask your administrator.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser and not workspaces_for_user(user=user):
            raise forms.ValidationError(self.error_messages["no_workspace"], code="no_workspace")


class RoleForm(forms.ModelForm):
    capabilities = forms.MultipleChoiceField(
        choices=Capability.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Role
        fields = ["name", "capabilities"]

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Role.objects.filter(tenant=self.tenant, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A role with this name already exists.")
        return name


class MemberAddForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=200)
    role = forms.ModelChoiceField(queryset=Role.objects.none())
    title = forms.CharField(max_length=120, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="Only for a person new to the portal; leave blank to let them reset it by email.",
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["role"].queryset = role_list(tenant=tenant)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(tenant=self.tenant, user__email=email).exists():
            raise forms.ValidationError("This person is already a member of the workspace.")
        return email


class MemberEditForm(forms.Form):
    role = forms.ModelChoiceField(queryset=Role.objects.none())
    is_active = forms.BooleanField(required=False, label="Active")
    manager = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)
    title = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, tenant, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["role"].queryset = role_list(tenant=tenant)
        self.fields["manager"].queryset = (
            Membership.objects.filter(tenant=tenant).exclude(pk=membership.pk).select_related("user")
        )
        self.fields["manager"].label_from_instance = lambda m: m.user.get_full_name()

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        seen, cursor = set(), manager
        while cursor is not None:
            if cursor.pk == self.membership.pk:
                raise forms.ValidationError("A member cannot report to someone who reports to them.")
            if cursor.pk in seen:
                break
            seen.add(cursor.pk)
            cursor = cursor.manager
        return manager


class NoticeSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["course_expiry_notice_days", "partner_expiry_notice_days"]
