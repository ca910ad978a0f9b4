from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from frontoffice.core.forms import PasswordResetForm
from frontoffice.core.views import activity, auth, settings, shell

app_name = "core"

urlpatterns = [
    path("", shell.dashboard, name="dashboard"),
    path("switch/", shell.switch_organization, name="switch_organization"),
    path("i18n/setlang/", shell.set_language, name="set_language"),
    path("search/", shell.search, name="search"),
    path("healthz", shell.healthz, name="healthz"),
    # signing in
    path("account/login/", auth.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", auth.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/setup/", auth.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/disable/", auth.two_factor_disable, name="two_factor_disable"),
    path("account/password/reset/", auth_views.PasswordResetView.as_view(
        form_class=PasswordResetForm,
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
        success_url=reverse_lazy("core:password_reset_done")), name="password_reset"),
    path("account/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("account/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("core:password_reset_complete")), name="password_reset_confirm"),
    path("account/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("account/password/change/", auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("core:password_change_done")), name="password_change"),
    path("account/password/change/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    # settings
    path("settings/organization/", settings.organization, name="organization"),
    path("settings/sites/", settings.site_list, name="sites"),
    path("settings/sites/new/", settings.site_edit, name="site_new"),
    path("settings/sites/<int:pk>/", settings.site_edit, name="site_edit"),
    path("settings/sites/<int:pk>/closures/", settings.closure_add, name="closure_add"),
    path("settings/sites/<int:pk>/closures/<int:closure_pk>/remove/", settings.closure_remove,
         name="closure_remove"),
    path("settings/departments/", settings.department_list, name="departments"),
    path("settings/departments/new/", settings.department_edit, name="department_new"),
    path("settings/departments/<int:pk>/", settings.department_edit, name="department_edit"),
    path("settings/departments/<int:pk>/delete/", settings.department_delete, name="department_delete"),
    path("settings/members/", settings.member_list, name="members"),
    path("settings/members/invite/", settings.member_invite, name="member_invite"),
    path("settings/members/<int:pk>/", settings.member_edit, name="member_edit"),
    path("settings/tokens/", settings.token_list, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", settings.token_revoke, name="token_revoke"),
    path("settings/profile/", settings.profile, name="profile"),
    path("activity/", activity.activity_log, name="activity"),
]
