"""The rows of the dashboard's table: one expected organisation, its report, its latest
reminder and, for a committee, its own level's progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from organisations.models import Organisation, OrganisationKind
from reports.dashboards.common import STATUS_LABELS
from reports.models import NOT_STARTED_LABEL, AnnualReport, ReminderStatus

MISSING = "missing"  # not submitted yet (no report, or a draft never sent): DESIGN §5

NOT_STARTED = "not_started"


@dataclass(frozen=True)
class LastReminder:
    at: dt.datetime
    status: str

    @property
    def status_label(self) -> str:
        return str(ReminderStatus(self.status).label)


@dataclass(frozen=True)
class Below:
    """A listed committee's own level: the organisations reporting to it and how many
    of them have submitted, as its drill-down shows them (``cycle_figures`` at its node)."""

    expected: int
    actual: int

    @property
    def percent(self) -> int:
        """For the bar's width: whole per cent, 0 when nothing is expected."""
        return round(self.actual * 100 / self.expected) if self.expected else 0

    @property
    def text(self) -> str:
        return _("%(actual)s/%(expected)s đã gửi") % {
            "actual": self.actual,
            "expected": self.expected,
        }


@dataclass
class OrganisationRow:
    """One expected organisation on the dashboard."""

    organisation: Organisation
    report: AnnualReport | None
    deadline: dt.datetime
    today: dt.date
    reminder: LastReminder | None = None
    below: Below | None = None  # a committee with organisations reporting to it
    # What the table prints, set by ``present`` for the page.
    url: str = ""
    kind_label: str = ""
    status_html: str = ""
    submitted_text: str = ""

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.report.first_submitted_at if self.report is not None else None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def overdue(self) -> bool:
        """Not submitted and the due day is over."""
        return not self.submitted and self.today > timezone.localtime(self.deadline).date()

    @property
    def late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at > self.deadline

    @property
    def state(self) -> str:
        """A key of STATUS_FILTERS other than draft: missing, or the report's status."""
        return self.report.status if self.report is not None and self.submitted else MISSING

    @property
    def slice(self) -> str:
        return self.report.status if self.report is not None else NOT_STARTED

    @property
    def first_submitted_on(self) -> dt.date | None:
        if self.submitted_at is None:
            return None
        return timezone.localtime(self.submitted_at).date()

    @property
    def days_late(self) -> int | None:
        """Days past the due day: of a late submission, or so far for a missing report."""
        due = timezone.localtime(self.deadline).date()
        if (submitted_on := self.first_submitted_on) is not None:
            return (submitted_on - due).days if self.late else None
        return (self.today - due).days if self.overdue else None

    @property
    def submission_count(self) -> int:
        return self.report.submission_count if self.report is not None else 0

    @property
    def status_label(self) -> str:
        if self.report is None:
            return str(NOT_STARTED_LABEL)
        return str(STATUS_LABELS.get(self.report.status, self.report.status))

    @property
    def timeliness_label(self) -> str:
        if self.submitted:
            return _("Quá hạn") if self.late else _("Đúng hạn")
        return _("Chưa nộp, quá hạn") if self.overdue else _("Chưa nộp")


# A report id no real report has, to build every row's link from one reverse().
_PLACEHOLDER = 987654321


def present(rows: list[OrganisationRow]) -> None:
    """What the table prints for each row, worked out once per page rather than by a
    template tag per row: the report's link (one ``reverse()`` for all of them), the
    kind's label (each label translated once), the status badges (``_status.html``
    rendered once per distinct status, timeliness and delay) and the dates."""
    if not rows:
        return
    detail = reverse("reports:report_detail", args=[_PLACEHOLDER])
    kinds = {value: str(label) for value, label in OrganisationKind.choices}
    status = get_template("reports/_status.html")
    badges: dict[tuple[object, ...], str] = {}
    for row in rows:
        report = row.report
        row.url = detail.replace(str(_PLACEHOLDER), str(report.pk)) if report else ""
        row.kind_label = kinds.get(row.organisation.kind, row.organisation.kind)
        key: tuple[object, ...] = (None,)
        if report is not None:
            submitted = report.first_submitted_at is not None
            key = (report.status, submitted and report.on_time, submitted and report.days_late)
        if key not in badges:
            badges[key] = status.render({"report": report})
        row.status_html = mark_safe(badges[key])  # noqa: S308 - our own template's output
        submitted_on = row.first_submitted_on
        row.submitted_text = date_format(submitted_on, "SHORT_DATE_FORMAT") if submitted_on else ""
