"""Partner program tiers: configuration (programs, tiers, benefits, criteria), partner data
(accounts, partner users, opportunities, leads, course assignments, currency rates) and partner
enrollments with their stored progress."""

from .data import (
    CourseAssignment,
    CurrencyRate,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerUser,
)
from .enrollment import CriterionResult, CustomCriterionStatus, PartnerEnrollment, ProgressSnapshot
from .notice import NoticeStatus, PartnerExpiryNotice
from .program import Benefit, Criterion, CriterionKind, CriterionThreshold, PartnerProgram, Tier, TierBenefit

__all__ = [
    "Benefit",
    "CourseAssignment",
    "Criterion",
    "CriterionKind",
    "CriterionResult",
    "CriterionThreshold",
    "CurrencyRate",
    "CustomCriterionStatus",
    "Lead",
    "NoticeStatus",
    "LeadStatus",
    "Opportunity",
    "OpportunityStage",
    "PartnerAccount",
    "PartnerEnrollment",
    "PartnerExpiryNotice",
    "PartnerProgram",
    "PartnerUser",
    "ProgressSnapshot",
    "Tier",
    "TierBenefit",
]
