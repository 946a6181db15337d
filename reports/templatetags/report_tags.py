from django import template
from django.utils.html import format_html

from reports.figures.content import format_figure
from reports.models import NOT_STARTED_LABEL, ReportStatus

register = template.Library()

BADGES = {
    ReportStatus.DRAFT: "text-bg-secondary",
    ReportStatus.SUBMITTED: "text-bg-primary",
    ReportStatus.RETURNED: "text-bg-warning",
    ReportStatus.ACCEPTED: "text-bg-success",
}


@register.simple_tag
def status_badge(report):
    if report is None:
        return format_html('<span class="badge text-bg-light border">{}</span>', NOT_STARTED_LABEL)
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGES.get(report.status, ""),
        report.get_status_display(),
    )


@register.filter
def figure(value):
    return format_figure(value)


@register.filter
def actions_for(task, organisation):
    """The task's actions the organisation carries out (an action naming someone else,
    such as the province's own inspection plan, is not on a district's form)."""
    return [action for action in task.actions.all() if action.done_by(organisation)]
