"""Capabilities a role can hold. Every view names the one it needs.

Roles are tenant-defined sets of these flags; the built-in roles below are created for each new
tenant. ``ADMINISTER`` implies every other capability.
"""

from django.db import models


class Capability(models.TextChoices):
    ADMINISTER = "administer", "Administer the workspace (everything)"
    MANAGE_PLANS = "manage_plans", "Manage plans, beneficiaries, credits and calculations"
    MANAGE_USERS = "manage_users", "Manage users and recoverable balances"
    PARTNER_TIERS = "partner_tiers", "Partner Program Tiers access"
    MANAGE_LEARNING = "manage_learning", "Manage courses, learners and sales orders"
    CLIENT_DASHBOARD = "client_dashboard", "Client admin dashboard and Organization Report"
    COACH = "coach", "Coach page (see own team)"
    LEARN = "learn", "Take courses (learner pages)"
    PARTNER_PORTAL = "partner_portal", "Partner portal (own partner account)"
    MY_PLANS = "my_plans", "My plans, own rewards and balance"
    VIEW_ACTIVITY = "view_activity", "View the activity log"
    MANAGE_SETTINGS = "manage_settings", "Manage members and roles"


C = Capability

# name -> capabilities. Names are those of SPEC.md section 0.
BUILTIN_ROLES: dict[str, list[str]] = {
    "Administrator": [C.ADMINISTER],
    "Partner Program Tiers Access": [C.PARTNER_TIERS],
    "Client Admin": [C.CLIENT_DASHBOARD, C.LEARN],
    "Manager": [C.COACH, C.MY_PLANS],
    "Learner": [C.LEARN],
    "Partner User": [C.PARTNER_PORTAL],
    "Sales Rep": [C.MY_PLANS],
}
