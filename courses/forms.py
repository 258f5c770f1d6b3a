from django import forms

from common.fields import ModelMultipleChoiceField
from tenancy.models import Membership

from .models import AuthMethod, NetSuiteConnection, SalesOrder, UserGroup
from .selectors.courses import learner_list
from .selectors.sales_orders import sales_order_choices
from .selectors.user_groups import user_group_choices
from .services.courses import BulkAction, VersionChoice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SalesOrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.tran_id} — {obj.customer or 'no customer'} (last day {obj.end_date:%m/%d/%Y})"


class BulkEditForm(forms.Form):
    """The Users panel's Edit dialog. The selection travels as hidden ``enrollment`` ids, so what
    is applied is exactly what the confirmation counted."""

    action = forms.ChoiceField(choices=BulkAction.CHOICES, widget=forms.RadioSelect, initial=BulkAction.ASSIGN)
    sales_order = SalesOrderChoiceField(
        queryset=SalesOrder.objects.none(),
        required=False,
        empty_label="— keep each learner's sales order —",
        help_text="Without a manual date, the sales order's end date is the learners' last day of access.",
    )
    manual_expiration_date = forms.DateField(
        required=False,
        widget=DATE,
        label="Last day of access",
        help_text="Manual date: learners keep access through this day (until 23:59 in the workspace's time zone) "
        "instead of the sales order's end date.",
    )
    clear_manual_date = forms.BooleanField(
        required=False, label="Remove manual expiration dates (follow the sales order again)"
    )
    version_choice = forms.ChoiceField(
        choices=VersionChoice.CHOICES,
        initial=VersionChoice.SAME,
        required=False,
        widget=forms.RadioSelect,
        label="When enrolling again",
        help_text="Learners enrolled before go back to the version they were in, with their progress, "
        "unless you pick the latest.",
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sales_order"].queryset = sales_order_choices(tenant=tenant)

    def clean(self):
        data = super().clean()
        if data.get("manual_expiration_date") and data.get("clear_manual_date"):
            self.add_error("clear_manual_date", "Either set a date or remove it, not both.")
        if data.get("action") == BulkAction.ENROLL and not data.get("sales_order"):
            self.add_error("sales_order", "Enrolling asks for the sales order that pays for this access.")
        if (
            data.get("action") == BulkAction.ASSIGN
            and not data.get("sales_order")
            and not data.get("manual_expiration_date")
            and not data.get("clear_manual_date")
        ):
            self.add_error("sales_order", "Pick a sales order or an expiration date to assign.")
        return data


class LearnerChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.get_full_name()} <{obj.user.email}>"


class EnrollForm(forms.Form):
    user_group = forms.ModelChoiceField(
        queryset=UserGroup.objects.none(), required=False, help_text="Enroll every active learner of this group."
    )
    learners = LearnerChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="Active learners not enrolled in this course. Hold Ctrl/⌘ to pick several.",
    )
    sales_order = SalesOrderChoiceField(queryset=SalesOrder.objects.none())
    manual_expiration_date = forms.DateField(
        required=False,
        widget=DATE,
        label="Last day of access",
        help_text="Leave blank: the sales order's end date is the last day of access.",
    )
    version_choice = forms.ChoiceField(
        choices=VersionChoice.CHOICES,
        initial=VersionChoice.SAME,
        required=False,
        widget=forms.RadioSelect,
        label="Learners enrolled before",
        help_text="New learners start in the latest version.",
    )

    def __init__(self, *args, tenant, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        enrolled = course.enrollments.filter(status="E").values("learner_id")
        self.fields["learners"].queryset = learner_list(tenant=tenant, active_only=True).exclude(pk__in=enrolled)
        self.fields["user_group"].queryset = user_group_choices(tenant=tenant)
        self.fields["sales_order"].queryset = sales_order_choices(tenant=tenant)

    def clean(self):
        data = super().clean()
        if not data.get("user_group") and not data.get("learners"):
            self.add_error("learners", "Pick learners or a user group.")
        return data

    def learner_ids(self) -> list[int]:
        ids = {m.pk for m in self.cleaned_data.get("learners") or []}
        group = self.cleaned_data.get("user_group")
        if group is not None:
            ids |= set(
                learner_list(tenant=self.tenant, active_only=True)
                .filter(group_memberships__group=group)
                .values_list("pk", flat=True)
            )
        return sorted(ids)


class SalesOrderForm(forms.ModelForm):
    class Meta:
        model = SalesOrder
        fields = ["tran_id", "customer", "start_date", "end_date", "status", "netsuite_id"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant

    def clean_tran_id(self):
        tran_id = self.cleaned_data["tran_id"].strip()
        if SalesOrder.objects.filter(tenant=self.tenant, tran_id=tran_id).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another sales order has this number.")
        return tran_id

    def clean_netsuite_id(self):
        ns_id = self.cleaned_data["netsuite_id"].strip()
        clash = SalesOrder.objects.filter(tenant=self.tenant, netsuite_id=ns_id).exclude(pk=self.instance.pk)
        if ns_id and clash.exists():
            raise forms.ValidationError("Another sales order has this NetSuite internal id.")
        return ns_id

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return data


SECRETS = ["consumer_secret", "token_secret", "client_secret"]


class NetSuiteConnectionForm(forms.ModelForm):
    """Secrets are write-only: never rendered back; left blank, the stored value is kept."""

    class Meta:
        model = NetSuiteConnection
        fields = [
            "account_id",
            "auth_method",
            "base_url",
            "consumer_key",
            "consumer_secret",
            "token_id",
            "token_secret",
            "client_id",
            "client_secret",
            "is_enabled",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRETS}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.tenant = tenant
        self.fields["auth_method"].widget = forms.RadioSelect(choices=AuthMethod.choices)
        for name in SECRETS:
            self.fields[name].required = False
            if getattr(self.instance, name):
                self.fields[name].help_text = "A value is stored. Leave blank to keep it."

    def clean(self):
        data = super().clean()
        for name in SECRETS:
            if not data.get(name):
                data[name] = getattr(self.instance, name, "") if self.instance.pk else ""
        method = data.get("auth_method")
        needed = (
            ["consumer_key", "consumer_secret", "token_id", "token_secret"]
            if method == AuthMethod.TBA
            else ["client_id", "client_secret"]
        )
        for name in needed:
            if not data.get(name):
                self.add_error(name, "Required for this authentication method.")
        return data


class UserGroupForm(forms.Form):
    name = forms.CharField(max_length=120)
    learners = LearnerChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 16}),
        help_text="Hold Ctrl/⌘ to pick several.",
    )

    def __init__(self, *args, tenant, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.group = tenant, group
        self.fields["learners"].queryset = learner_list(tenant=tenant)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = UserGroup.objects.filter(tenant=self.tenant, name__iexact=name)
        if self.group is not None:
            clash = clash.exclude(pk=self.group.pk)
        if clash.exists():
            raise forms.ValidationError("A user group with this name already exists.")
        return name
