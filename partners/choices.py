"""The choice lists the criteria rules and the models share. They sit below both, so that
``partners.criteria`` can describe each kind without importing the models that validate with it
(models → criteria → choices, never back)."""

from django.db import models


class OpportunityStage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    QUALIFICATION = "qualification", "Qualification"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED_WON = "closed_won", "Closed Won"
    CLOSED_LOST = "closed_lost", "Closed Lost"


class LeadStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class CriterionKind(models.TextChoices):
    REVENUE = "revenue", "Total revenue"
    APPROVED_REGISTRATIONS = "approved_registrations", "Approved deal registrations"
    CLOSED_DEALS = "closed_deals", "Closed deals"
    REGISTERED_DEALS = "registered_deals", "Number of deals registered"
    CERTIFICATIONS = "certifications", "Certifications"
    CUSTOM = "custom", "Custom (verified by hand)"
