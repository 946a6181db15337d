from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Công tác"), {"fields": ("position",)}),
    )
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "position", "is_active", "is_staff")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to", "successor")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ["parent", "successor"]
    list_select_related = ("parent", "successor")

    def has_delete_permission(self, request, obj=None):
        # Organisations are closed, never deleted: reports stay attributed to them.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__username", "user__last_name", "organisation__name")
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ("user", "organisation")
