from django import template

from reports.dashboards.common import status_badge_html
from reports.figures.content import format_figure

register = template.Library()


@register.simple_tag
def status_badge(report):
    return status_badge_html(report)


@register.filter
def figure(value):
    return format_figure(value)


@register.filter
def actions_for(task, organisation):
    """The task's actions the organisation carries out (an action naming someone else,
    such as the province's own inspection plan, is not on a district's form)."""
    return [action for action in task.actions.all() if action.done_by(organisation)]
