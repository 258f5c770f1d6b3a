from django.urls import path

from .views import config, data, enrollments, portal

app_name = "partners"
urlpatterns = [
    path("", config.ProgramListView.as_view(), name="program_list"),
    # Enrollments, Enrollment Details, Edit, Recalculate and the partner portal.
    path("enrollments/", enrollments.EnrollmentListView.as_view(), name="enrollment_list"),
    path("enrollments/add/", enrollments.enrollment_add, name="enrollment_add"),
    path("enrollments/import/", enrollments.enrollments_import, name="enrollment_import"),
    path("enrollments/<int:enrollment_id>/", enrollments.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:enrollment_id>/end/", enrollments.enrollment_end, name="enrollment_end"),
    path(
        "enrollments/<int:enrollment_id>/criteria/<int:criterion_id>/records/",
        enrollments.enrollment_criterion_records,
        name="enrollment_criterion_records",
    ),
    path(
        "enrollments/<int:enrollment_id>/delete/", enrollments.EnrollmentDeleteView.as_view(), name="enrollment_delete"
    ),
    path("enrollments/<int:enrollment_id>/edit/", enrollments.enrollment_edit, name="enrollment_edit"),
    path("enrollments/<int:enrollment_id>/preview/", enrollments.enrollment_preview, name="enrollment_preview"),
    path(
        "enrollments/<int:enrollment_id>/recalculate/",
        enrollments.enrollment_recalculate,
        name="enrollment_recalculate",
    ),
    path(
        "programs/<int:program_id>/enrollments/",
        enrollments.ProgramEnrollmentsView.as_view(),
        name="program_enrollments",
    ),
    path("portal/", portal.portal, name="portal"),
    # Programs, tiers, criteria and the benefit library.
    path("programs/add/", config.ProgramFormView.as_view(), name="program_add"),
    path("programs/<int:program_id>/", config.program_detail, name="program_detail"),
    path("programs/<int:program_id>/edit/", config.ProgramFormView.as_view(), name="program_edit"),
    path("programs/<int:program_id>/delete/", config.ProgramDeleteView.as_view(), name="program_delete"),
    path("programs/<int:program_id>/recalculate/", config.ProgramRecalculateView.as_view(), name="program_recalculate"),
    path("programs/<int:program_id>/tiers/add/", config.TierFormView.as_view(), name="tier_add"),
    path("programs/<int:program_id>/criteria/add/", config.CriterionFormView.as_view(), name="criterion_add"),
    path("programs/<int:program_id>/benefits/", config.benefit_values, name="benefit_values"),
    path("tiers/<int:tier_id>/edit/", config.TierFormView.as_view(), name="tier_edit"),
    path("tiers/<int:tier_id>/move/", config.tier_move, name="tier_move"),
    path("tiers/<int:tier_id>/delete/", config.TierDeleteView.as_view(), name="tier_delete"),
    path("criteria/<int:criterion_id>/edit/", config.CriterionFormView.as_view(), name="criterion_edit"),
    path("criteria/<int:criterion_id>/delete/", config.CriterionDeleteView.as_view(), name="criterion_delete"),
    path("benefits/", config.BenefitListView.as_view(), name="benefit_list"),
    path("benefits/add/", config.BenefitFormView.as_view(), name="benefit_add"),
    path("benefits/<int:benefit_id>/edit/", config.BenefitFormView.as_view(), name="benefit_edit"),
    path("benefits/<int:benefit_id>/delete/", config.BenefitDeleteView.as_view(), name="benefit_delete"),
    # Partner data and its CSV imports.
    path("accounts/", data.AccountListView.as_view(), name="account_list"),
    path("accounts/add/", data.AccountFormView.as_view(), name="account_add"),
    path("accounts/suggestions/", data.account_suggestions, name="account_suggestions"),
    path("accounts/<int:account_id>/edit/", data.AccountFormView.as_view(), name="account_edit"),
    path("partner-users/", data.PartnerUserListView.as_view(), name="partner_user_list"),
    path("partner-users/add/", data.PartnerUserFormView.as_view(), name="partner_user_add"),
    path("partner-users/<int:partner_user_id>/edit/", data.PartnerUserFormView.as_view(), name="partner_user_edit"),
    path("opportunities/", data.OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/add/", data.OpportunityFormView.as_view(), name="opportunity_add"),
    path("opportunities/import/", data.opportunities_import, name="opportunity_import"),
    path("opportunities/<int:opportunity_id>/edit/", data.OpportunityFormView.as_view(), name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/delete/", data.OpportunityDeleteView.as_view(), name="opportunity_delete"),
    path("deal-registrations/", data.LeadListView.as_view(), name="lead_list"),
    path("deal-registrations/add/", data.LeadFormView.as_view(), name="lead_add"),
    path("deal-registrations/import/", data.leads_import, name="lead_import"),
    path("deal-registrations/<int:lead_id>/edit/", data.LeadFormView.as_view(), name="lead_edit"),
    path("deal-registrations/<int:lead_id>/delete/", data.LeadDeleteView.as_view(), name="lead_delete"),
    path("course-assignments/", data.CourseAssignmentListView.as_view(), name="course_list"),
    path("course-assignments/add/", data.CourseAssignmentFormView.as_view(), name="course_add"),
    path("course-assignments/import/", data.courses_import, name="course_import"),
    path("course-assignments/<int:assignment_id>/edit/", data.CourseAssignmentFormView.as_view(), name="course_edit"),
    path(
        "course-assignments/<int:assignment_id>/delete/",
        data.CourseAssignmentDeleteView.as_view(),
        name="course_delete",
    ),
    path("currency-rates/", data.CurrencyRateListView.as_view(), name="rate_list"),
    path("currency-rates/add/", data.CurrencyRateFormView.as_view(), name="rate_add"),
    path("currency-rates/<int:rate_id>/edit/", data.CurrencyRateFormView.as_view(), name="rate_edit"),
    path("currency-rates/<int:rate_id>/delete/", data.CurrencyRateDeleteView.as_view(), name="rate_delete"),
]
