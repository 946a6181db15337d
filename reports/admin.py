"""Reports in the admin are for looking, not editing: every change to a report goes
through the services (and its history), so the admin only reads them."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from reports.models import (
    AnnualReport,
    Attachment,
    Notification,
    OutboxMessage,
    Reminder,
    ReportEvent,
    ReportingCycle,
    ReviewerDigest,
    SubPlan,
    YearlySummary,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ReadOnlyAdmin):
    list_display = ("plan", "year", "opens_on", "due_on", "closes_on", "status")
    list_filter = ("status", "plan")
    list_select_related = ("plan",)


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    fields = ("at", "kind", "actor", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation", "cycle", "status", "first_submitted_at", "last_submitted_at",
        "submission_count",
    )  # fmt: skip
    list_filter = ("status", "cycle__year", "organisation__kind")
    search_fields = ("organisation__name", "organisation__code")
    list_select_related = ("organisation", "cycle__plan")
    inlines = [ReportEventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "report", "kind", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("report__organisation", "report__cycle__plan", "uploaded_by")
    search_fields = ("original_name", "sha256")


@admin.register(SubPlan)
class SubPlanAdmin(ReadOnlyAdmin):
    list_display = ("number", "organisation", "plan", "issued_on", "registered_at")
    list_select_related = ("organisation", "plan")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "cycle", "stage", "status", "sent_at", "attempts")
    list_filter = ("status", "cycle")
    list_select_related = ("organisation", "cycle__plan")
    search_fields = ("organisation__name", "last_error")


@admin.register(ReviewerDigest)
class ReviewerDigestAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "day", "status", "sent_at")
    list_select_related = ("cycle__plan",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("subject", "kind", "status", "created_at", "sent_at", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("subject", "last_error")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("title", "user", "created_at", "read_at")
    list_select_related = ("user",)


@admin.register(YearlySummary)
class YearlySummaryAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "status", "progress", "requested_at", "finished_at")
    list_select_related = ("cycle__plan",)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    """Who changed what in the admin: the audit trail of administrative changes."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    list_select_related = ("user", "content_type")
