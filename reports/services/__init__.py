"""Every change of a cycle or a report. Views call these and nothing else writes.

Each service checks that the step is allowed from the current state, changes the row
with a conditional UPDATE (so two people acting at once cannot both win), and records
a ReportEvent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from reports.figures.content import ReportContent
    from reports.models import AnnualReport


class ServiceError(Exception):
    """A step that is not allowed now; the message tells the user why, in Vietnamese."""


class ConcurrentEdit(ServiceError):
    """Somebody saved the report after this user opened it, and changed some of the
    fields this user changed too (`conflicts`). `merged` is this user's content with
    every field only the other person changed taken from the saved version."""

    def __init__(
        self,
        report: AnnualReport,
        *,
        conflicts: list[str] | None = None,
        merged: ReportContent | None = None,
    ):
        self.report = report
        self.conflicts = conflicts or []
        self.merged = merged
        who = report.last_saved_by or _("một người khác")
        when = (
            date_format(timezone.localtime(report.last_saved_at), "SHORT_DATETIME_FORMAT")
            if report.last_saved_at
            else ""
        )
        super().__init__(
            _(
                "Báo cáo vừa được %(who)s lưu lúc %(when)s, sau khi đồng chí mở trang này."
                " Nội dung của đồng chí CHƯA được lưu và vẫn còn nguyên trong biểu mẫu bên"
                " dưới; ở những mục cả hai cùng sửa, hãy chọn giữ bản nào rồi lưu lại."
            )
            % {"who": who, "when": when}
        )


class SubmissionInvalid(ServiceError):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(
            _("Báo cáo chưa thể gửi: còn %(n)s mục cần bổ sung hoặc sửa.") % {"n": len(errors)}
        )
