"""URLs. Everything a workspace holds lives under /w/<tenant_slug>/ (see tenancy.middleware)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import views as api_views
from tenancy import views as tenancy_views
from tenancy.forms import EmailAuthenticationForm

workspace_patterns = [
    path("", tenancy_views.workspace_home, name="workspace_home"),
    path("settings/", include("tenancy.urls")),
    path("settings/api-keys/", include("api.keys_urls")),
    path("settings/jobs/", include("jobs.urls")),
    path("activity/", include("activity.urls")),
    path("plans/", include("plans.urls")),
    path("plans/", include("enrollments.urls")),
    path("users/", include("balances.urls")),
    path("partners/", include("partners.urls")),
    path("learning/", include("courses.urls")),
    path("odata/", include("api.urls")),
    # The service root without its slash (as clients are often given it) is the service document,
    # not a redirect: its URLs are relative to the $metadata URL, so they resolve the same.
    path("odata", api_views.service_root),
]

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", tenancy_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("w/<slug:tenant_slug>/", include(workspace_patterns)),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
