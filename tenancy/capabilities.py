"""Capabilities a role can hold. Every view names the one it needs.

Roles are tenant-defined sets of these flags; the built-in roles below are created for each new
tenant. ``ADMINISTER`` implies every other capability, and editing plans implies viewing them.
The destructive actions (reset enrollments, delete plans or calculations, clear balances) are
capabilities of their own, so that a role can edit plans without being able to undo people's
work; only Administrator holds them among the built-in roles.
"""

from django.db import models


class Capability(models.TextChoices):
    ADMINISTER = "administer", "Administer the workspace (everything)"
    VIEW_PLANS = "view_plans", "View plans, beneficiaries, credits, calculations and rewards"
    MANAGE_PLANS = "manage_plans", "Edit plans, beneficiaries and teams; run and release calculations"
    RESET_ENROLLMENTS = "reset_enrollments", "Reset enrollments of a plan"
    DELETE_PLANS = "delete_plans", "Delete plans and calculations"
    MANAGE_USERS = "manage_users", "View users; add recoverable rewards and draws"
    CLEAR_BALANCES = "clear_balances", "Clear recoverable balances"
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

# A capability satisfied by holding another: whoever edits plans sees them.
IMPLIED_BY: dict[str, tuple[str, ...]] = {C.VIEW_PLANS: (C.MANAGE_PLANS,)}

# A capability that is useless without another (the page its button is on): the role form
# refuses it alone rather than grant a button nobody can reach.
REQUIRES: dict[str, str] = {
    C.RESET_ENROLLMENTS: C.VIEW_PLANS,
    C.DELETE_PLANS: C.VIEW_PLANS,
    C.CLEAR_BALANCES: C.MANAGE_USERS,
}

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
