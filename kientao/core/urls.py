from django.contrib.auth import views as auth_views
from django.urls import path

from kientao.core import views
from kientao.core.forms import EmailLoginForm

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("accounts/confirm-again/", views.resend_confirmation, name="resend_confirmation"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", authentication_form=EmailLoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="core/password_reset.html",
            email_template_name="core/email/password_reset.txt",
            subject_template_name="core/email/password_reset_subject.txt",
            success_url="/accounts/password/reset/sent/",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_reset_confirm.html",
            success_url="/accounts/password/reset/complete/",
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="core/password_change.html", success_url="/accounts/profile/"
        ),
        name="password_change",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/", views.create_token, name="create_token"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("language/", views.set_language, name="set_language"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/switch/", views.switch_organisation, name="switch_organisation"),
    path("o/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("o/<slug:slug>/members/", views.members, name="members"),
    path("o/<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("o/<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:slug>/audit/", views.audit_log, name="audit_log"),
    path("o/<slug:slug>/audit.<str:fmt>", views.audit_export, name="audit_export"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("system/", views.system_status, name="system_status"),
]
