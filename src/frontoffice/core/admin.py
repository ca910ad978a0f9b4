"""Django admin for operators (is_staff): read-only over domain rows.

Every write goes through the services (validation, activity log); office staff use the
application's own pages, operators use them too or the ``frontoffice`` command.
"""

from django.contrib import admin

from frontoffice.core.models import Activity, ApiToken, Department, Member, Organization, Site, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Operators may switch a user off or on; passwords change through the reset e-mail."""

    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "language", "is_active", "is_staff", "last_login", "date_joined"]
    readonly_fields = ["email", "last_login", "date_joined"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "vertical", "language", "time_zone"]
    search_fields = ["name", "slug"]


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "active"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "phone", "active"]


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["user", "organization", "roles", "active"]
    list_filter = ["organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "member", "created_at", "revoked_at"]
    exclude = ["key_hash"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "organization", "verb", "actor", "subject_label"]
    list_filter = ["organization"]
