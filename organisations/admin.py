from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .change_plans import RestructuringError
from .forms import RestructureForm
from .models import (
    ChangeKind,
    Membership,
    Organisation,
    OrganisationChange,
    OrganisationChangeLink,
    OrganisationName,
    User,
)

SERVICES = {
    ChangeKind.MERGE: services.organisation_merge,
    ChangeKind.SPLIT: services.organisation_split,
    ChangeKind.RENAME: services.organisation_rename,
    ChangeKind.MOVE: services.organisation_move,
    ChangeKind.CLOSE: services.organisation_close,
}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django appends this warning as an untranslated English sentence.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("Nếu tắt, mật khẩu hiện tại của người dùng này sẽ mất."),
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
    # One name field, "Họ và tên" (last_name; see User): first_name is never offered.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("last_name", "email", "position")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "last_name",
                    "position",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [MembershipInline]
    list_display = ("username", "last_name", "position", "is_active", "is_staff")
    search_fields = ("username", "last_name", "email", "position")
    ordering = ("last_name", "username")


class OrganisationNameInline(admin.TabularInline):
    model = OrganisationName
    extra = 0
    can_delete = False
    fields = readonly_fields = ("name", "short_name", "valid_from", "valid_to")

    def has_add_permission(self, request, obj=None):
        # Former names are written by a rename, with the decision that ordered it.
        return False


def _restructure_action(kind: ChangeKind):
    def action(modeladmin, request, queryset):
        codes = ", ".join(queryset.order_by("code").values_list("code", flat=True))
        url = reverse("admin:organisations_organisation_restructure", args=[kind.value])
        return redirect(f"{url}?{urlencode({'codes': codes})}")

    action.__name__ = f"restructure_{kind.value}"
    action.short_description = _("Sắp xếp tổ chức: %(kind)s") % {"kind": kind.label}
    return action


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to", "successor")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ["parent", "successor"]
    list_select_related = ("parent", "successor")
    inlines = [OrganisationNameInline]
    actions = [_restructure_action(kind) for kind in ChangeKind]
    change_list_template = "admin/organisations/organisation/change_list.html"

    def has_delete_permission(self, request, obj=None):
        # Organisations are closed, never deleted: reports stay attributed to them.
        return False

    def get_urls(self):
        return [
            path(
                "sap-xep/<str:kind>/",
                self.admin_site.admin_view(self.restructure_view),
                name="organisations_organisation_restructure",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "restructure_kinds": ChangeKind.choices}
        return super().changelist_view(request, extra_context)

    def restructure_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        """Sắp xếp tổ chức: the form, then a confirmation page listing exactly who moves
        and what closes, then the change applied through its service."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if kind not in ChangeKind.values:
            raise Http404
        plan = None
        if request.method == "POST":
            form = RestructureForm(request.POST, kind=kind)
            if form.is_valid() and "edit" not in request.POST:
                try:
                    if "confirm" in request.POST:
                        change = SERVICES[ChangeKind(kind)](**form.arguments, actor=request.user)
                        messages.success(
                            request, gettext("Đã thực hiện: %(change)s.") % {"change": change}
                        )
                        main = (change.targets or change.subjects or change.sources)[0]
                        return redirect(main)
                    plan = services.organisation_change_preview(kind=kind, **form.arguments)
                except RestructuringError as exc:
                    form.add_error(None, str(exc))
        else:
            codes = request.GET.get("codes", "")
            form = RestructureForm(
                kind=kind, initial={"organisations": codes, "organisation": codes.split(",")[0]}
            )
        return TemplateResponse(
            request,
            "admin/organisations/organisation/restructure.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Sắp xếp tổ chức: %(kind)s") % {"kind": ChangeKind(kind).label},
                "form": form,
                "plan": plan,
                "kind": kind,
                "kinds": ChangeKind.choices,
            },
        )


class OrganisationChangeLinkInline(admin.TabularInline):
    model = OrganisationChangeLink
    extra = 0
    can_delete = False
    fields = readonly_fields = ("organisation", "role")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrganisationChange)
class OrganisationChangeAdmin(admin.ModelAdmin):
    """Read-only: a change is history; a correction is another change."""

    list_display = ("effective_on", "kind", "decision_number", "key", "applied_by", "applied_at")
    list_filter = ("kind",)
    search_fields = ("decision_number", "key", "note", "links__organisation__code")
    list_select_related = ("applied_by",)
    inlines = [OrganisationChangeLinkInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__username", "user__last_name", "organisation__name")
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ("user", "organisation")
