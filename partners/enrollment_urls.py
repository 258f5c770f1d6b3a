"""URLs of the enrollment pages and the partner portal (included by partners/urls.py)."""

from django.urls import path

from . import enrollment_views as views
from . import portal_views

urlpatterns = [
    path("enrollments/", views.EnrollmentListView.as_view(), name="enrollment_list"),
    path("enrollments/<int:enrollment_id>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:enrollment_id>/edit/", views.enrollment_edit, name="enrollment_edit"),
    path("enrollments/<int:enrollment_id>/recalculate/", views.enrollment_recalculate, name="enrollment_recalculate"),
    path("programs/<int:program_id>/enrollments/", views.ProgramEnrollmentsView.as_view(), name="program_enrollments"),
    path("portal/", portal_views.portal, name="portal"),
]
