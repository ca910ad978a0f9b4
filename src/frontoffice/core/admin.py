"""Django admin for operators (is_staff). Office staff use the application's own pages."""

from django.contrib import admin

from frontoffice.core.models import Activity, ApiToken, Department, Member, Organization, Site, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "vertical", "language", "time_zone"]
    search_fields = ["name", "slug"]


admin.site.register([Site, Department])


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "roles", "active"]
    list_filter = ["organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "member", "created_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "organization", "verb", "actor", "subject_label"]
    list_filter = ["organization"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
