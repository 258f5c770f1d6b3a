"""Views of the partner pages, one module per page family: config (programs, tiers, criteria,
benefits), data (partner data and its imports), enrollments and portal; base holds what they share."""
