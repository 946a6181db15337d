from django.contrib import admin

from .models import (
    Document,
    Duty,
    DutyParticipant,
    Indicator,
    Plan,
    Purpose,
    ReportingScope,
    Task,
    TaskAction,
    ValidationRule,
)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "date", "issuer")
    list_filter = ("kind",)
    search_fields = ("number", "title")


class PurposeInline(admin.StackedInline):
    model = Purpose
    extra = 0
    filter_horizontal = ["documents"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("number", "issuer", "date", "signer")
    search_fields = ("number", "title")
    filter_horizontal = ["basis", "documents"]
    inlines = [PurposeInline]


class TaskActionInline(admin.TabularInline):
    model = TaskAction
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("position", "code", "name", "unit", "value_type", "aggregation", "required")


class ValidationRuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0
    fields = ("position", "parts", "operator", "whole", "message")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "title")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    inlines = [TaskActionInline, IndicatorInline, ValidationRuleInline]

    def save_formset(self, request, form, formset, change):
        # Indicators belong to the task's plan; the inline does not ask for it.
        for obj in formset.save(commit=False):
            if isinstance(obj, Indicator | ValidationRule):
                obj.plan_id = form.instance.plan_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class DutyParticipantInline(admin.TabularInline):
    model = DutyParticipant
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "deliverable", "recurrence")
    list_select_related = ("plan",)
    filter_horizontal = ["tasks"]
    inlines = [DutyParticipantInline]


@admin.register(ReportingScope)
class ReportingScopeAdmin(admin.ModelAdmin):
    list_display = ("plan", "task", "organisation", "kind")
    list_filter = ("plan", "kind")
    list_select_related = ("plan", "task", "organisation")
    autocomplete_fields = ["organisation"]
