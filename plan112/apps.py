"""django-axes in Vietnamese: its app has no verbose name (the admin's index showed
"Axes") and its records describe themselves in English."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    verbose_name = _("Bảo vệ đăng nhập")

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        # Their __str__ is an English sentence; the admin shows it in titles, breadcrumbs
        # and the row checkboxes' labels.
        AccessAttempt.__str__ = _attempt_str
        AccessLog.__str__ = _log_str
        AccessFailureLog.__str__ = _failure_str


def _when(moment) -> str:
    return date_format(localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""


def _attempt_str(self) -> str:
    return gettext("Đăng nhập sai: %(user)s lúc %(when)s") % {
        "user": self.username,
        "when": _when(self.attempt_time),
    }


def _log_str(self) -> str:
    return gettext("Đăng nhập: %(user)s lúc %(when)s") % {
        "user": self.username,
        "when": _when(self.attempt_time),
    }


def _failure_str(self) -> str:
    text = gettext("Đăng nhập thất bại: %(user)s lúc %(when)s từ %(ip)s") % {
        "user": self.username,
        "when": _when(self.attempt_time),
        "ip": self.ip_address,
    }
    return text + (gettext(" (bị khóa)") if self.locked_out else "")
