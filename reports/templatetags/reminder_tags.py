"""The cycle page's reminder column: each organisation's reminders, looked up in the dict
the view prepared in one query (reports.notifications.reminders.reminders_by_organisation)."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def reminders_of(reminders, organisation_id) -> list:
    """The organisation's reminders, newest first; none if the view passed no dict."""
    if not isinstance(reminders, dict):
        return []
    return reminders.get(organisation_id, [])


@register.filter
def reminder_label(reminder) -> str:
    """What the reminder was, for people: "14 ngày trước hạn", "quá hạn 7 ngày", …"""
    days = reminder.days_to_due
    if reminder.stage.startswith("manual-"):
        return _("Nhắc ngay theo yêu cầu")
    if days < 0:
        return _("%(n)s ngày trước hạn") % {"n": -days}
    if days == 0:
        return _("Đúng ngày hạn")
    return _("Quá hạn %(n)s ngày") % {"n": days}


@register.filter
def reminded_today(log) -> bool:
    """Whether a reviewer already sent this organisation a reminder today (the row's
    button would be refused: at most one a day)."""
    stage = f"manual-{timezone.localdate().isoformat()}"
    return any(reminder.stage == stage for reminder in log)
