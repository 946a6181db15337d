"""Reporting cycles, annual reports and everything attached to them.

A report's life (DESIGN §4): draft → submitted → accepted, with returned and reopened
sending it back to its organisation. Every step is a ReportEvent; each submission freezes
a snapshot of the whole content that never changes afterwards.
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, OrganisationKind
from tasks.models import Indicator, Plan, Task

DEFAULT_REMINDER_OFFSETS = [-14, -7, -3, -1, 1, 7, 14]


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a day in the application's time zone (Asia/Ho_Chi_Minh)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time.max, tzinfo=zone)


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Đang mở")
    CLOSED = "closed", _("Đã đóng")


class ReportingCycle(models.Model):
    """One round of reporting on a plan: for a year, with its dates."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="cycles"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kỳ báo cáo"), max_length=255, blank=True)
    period_start = models.DateField(_("kỳ báo cáo từ ngày"))
    period_end = models.DateField(_("kỳ báo cáo đến ngày"))
    opens_on = models.DateField(_("ngày mở nhận báo cáo"))
    due_on = models.DateField(_("hạn nộp báo cáo"))
    closes_on = models.DateField(_("ngày đóng kỳ báo cáo"))
    reminder_offsets = models.JSONField(
        _("các mốc nhắc hạn (ngày so với hạn nộp)"), default=list, blank=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-year", "plan__number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="cycle_unique_plan_year"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="cycle_period_ordered",
                violation_error_message=_("Ngày kết thúc kỳ phải sau ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("opens_on")) & Q(closes_on__gte=F("due_on")),
                name="cycle_dates_ordered",
                violation_error_message=_(
                    "Các ngày phải theo thứ tự: mở nhận báo cáo ≤ hạn nộp ≤ đóng kỳ."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or _("Báo cáo năm %(year)s — Kế hoạch %(plan)s") % {
            "year": self.year,
            "plan": self.plan.number,
        }

    def get_absolute_url(self) -> str:
        return reverse("reports:cycle_detail", args=[self.pk])

    @property
    def deadline(self) -> dt.datetime:
        """Submissions at or before this instant are on time (the cycle's own due date:
        the level that reports to the top; lower levels may be due earlier)."""
        return end_of_day(self.due_on)

    def due_on_for(self, kind: str) -> dt.date:
        """The due date of organisations of this kind: the plan's reporting line may set
        it some days before the cycle's (tasks.lines). Reads the plan's lines once."""
        from tasks.lines import plan_lines

        return plan_lines(self.plan).due_on(kind, self.due_on)

    def deadline_for(self, kind: str) -> dt.datetime:
        return end_of_day(self.due_on_for(kind))

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN

    def accepts_reports_on(self, day: dt.date) -> bool:
        return self.is_open and self.opens_on <= day <= self.closes_on


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã tiếp nhận")


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)

# An expected organisation with no report of the cycle yet: one word for it on every page,
# card, export and API label, so that people never wonder whether two words differ.
NOT_STARTED_LABEL = _("Chưa bắt đầu")


# The kinds whose report opens with the leadership section: section III.1 of 112-KH/TU asks
# "các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy" first to "chỉ đạo triển khai
# quán triệt, ... xây dựng kế hoạch thực hiện, ... phổ biến đến các chi bộ"; since July
# 2025 the commune-level committees stand directly under the Tỉnh ủy in their place. A
# grassroots organisation or a chi bộ receives the plan ("Kế hoạch này được phổ biến đến
# các chi bộ để thực hiện") and issues none of its own, so its report has no such section.
LEADERSHIP_KINDS = frozenset(
    {
        OrganisationKind.DISTRICT_COMMITTEE,
        OrganisationKind.AFFILIATED_COMMITTEE,
        OrganisationKind.COMMUNE_COMMITTEE,
    }
)


class AnnualReport(models.Model):
    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
        related_name="reports",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, related_name="reports"
    )
    # The committee the report is addressed to (tasks.lines): its reviewers review it, and
    # its figures count in that committee's totals. Set when the report is started; a move
    # of the organisation re-addresses the reports of cycles still to come.
    reports_to = models.ForeignKey(
        Organisation, verbose_name=_("gửi đến"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="reports_received",
    )  # fmt: skip
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Optimistic locking: every save must name the version it was based on.
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    # What section III.1 of a plan asks of a committee first: how it led the dissemination
    # (quán triệt), made its own implementation plan and passed it on to its chi bộ.
    leadership = models.TextField(_("công tác lãnh đạo, chỉ đạo triển khai"), blank=True)
    overall_assessment = models.TextField(_("đánh giá chung"), blank=True)
    proposals = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    # The number the committee gives the report ("12" of "Số 12-BC/HU"); the suffix is
    # the issuing body's (reports.documents.party).
    number = models.CharField(_("số văn bản"), max_length=16, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_saved_at = models.DateTimeField(_("lưu lần cuối lúc"), null=True, blank=True)
    last_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người lưu lần cuối"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )  # fmt: skip
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("gửi lần cuối lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    submission_count = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)

    class Meta:
        verbose_name = _("báo cáo năm")
        verbose_name_plural = _("báo cáo năm")
        ordering = ["cycle", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="report_unique_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(first_submitted_at__isnull=True)
                | Q(last_submitted_at__gte=F("first_submitted_at")),
                name="report_submission_times_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False),
                name="report_non_draft_was_submitted",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"], name="report_cycle_status"),
            models.Index(fields=["reports_to", "cycle", "status"], name="report_node_cycle_status"),
        ]

    def __str__(self) -> str:
        return _("Báo cáo năm %(year)s của %(org)s") % {
            "year": self.cycle.year,
            "org": self.organisation_names[1],
        }

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def organisation_names(self) -> tuple[str, str]:
        """(name, display name) the organisation bore at the end of the cycle's period: a
        report keeps the name it was written under. No query unless renamed since."""
        cached = self.__dict__.get("_organisation_names")
        if cached is None:
            name, short_name = self.organisation.names_on(self.cycle.period_end)
            cached = self.__dict__["_organisation_names"] = (name, short_name or name)
        return cached

    @property
    def asks_leadership(self) -> bool:
        """Whether the report opens with the leadership section (``LEADERSHIP_KINDS``)."""
        return self.organisation.kind in LEADERSHIP_KINDS

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def on_time(self) -> bool | None:
        """On time: first submission at or before the end of the due day (DESIGN §5)."""
        if self.first_submitted_at is None:
            return None
        return self.first_submitted_at <= self.deadline

    @property
    def due_on(self) -> dt.date:
        """The organisation's own due date in the cycle (its level's, DESIGN §4)."""
        return self.cycle.due_on_for(self.organisation.kind)

    @property
    def deadline(self) -> dt.datetime:
        return end_of_day(self.due_on)

    @property
    def days_late(self) -> int:
        """Whole days past the due date: of the first submission, or of today if none."""
        moment = self.first_submitted_at or timezone.now()
        local = timezone.localtime(moment).date()
        return max(0, (local - self.due_on).days)


class ContributionStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SENT = "sent", _("Đã gửi")


class Contribution(models.Model):
    """What a body that guides and coordinates "theo chức năng, nhiệm vụ" (an advisory
    body, the Front, a mass organisation) gives Ban Tổ chức for its yearly report. Not a
    report: it is not reviewed, and it never counts in a rate (plan data ``contributors``)."""

    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
        related_name="contributions",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("đơn vị góp ý"), on_delete=models.PROTECT,
        related_name="contributions",
    )  # fmt: skip
    # The body whose report it goes into (Ban Tổ chức of the plan's top committee).
    addressed_to = models.ForeignKey(
        Organisation, verbose_name=_("gửi đến"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="contributions_received",
    )  # fmt: skip
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ContributionStatus.choices,
        default=ContributionStatus.DRAFT,
    )  # fmt: skip
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("ý kiến đóng góp")
        verbose_name_plural = _("ý kiến đóng góp")
        ordering = ["cycle", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="contribution_unique_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False),
                name="contribution_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return _("Đóng góp năm %(year)s của %(org)s") % {
            "year": self.cycle.year,
            "org": self.organisation.short_name or self.organisation.name,
        }


class ContributionPart(models.Model):
    """A contribution's text on one task of the plan (``task`` None: on the plan as a
    whole)."""

    contribution = models.ForeignKey(
        Contribution, verbose_name=_("ý kiến đóng góp"), on_delete=models.CASCADE,
        related_name="parts",
    )  # fmt: skip
    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    text = models.TextField(_("nội dung"), blank=True)

    class Meta:
        verbose_name = _("nội dung đóng góp")
        verbose_name_plural = _("nội dung đóng góp")
        ordering = ["contribution", "task__number"]
        constraints = [
            # Two constraints, not nulls_distinct=False, which SQLite cannot hold.
            models.UniqueConstraint(
                fields=["contribution", "task"],
                condition=Q(task__isnull=False),
                name="contribution_part_unique_task",
            ),
            models.UniqueConstraint(
                fields=["contribution"],
                condition=Q(task__isnull=True),
                name="contribution_part_unique_general",
            ),
        ]

    def __str__(self) -> str:
        return str(self.task) if self.task_id else str(_("Chung"))


class Level(models.TextChoices):
    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    POOR = "poor", _("Chưa đạt")


SECTION_PARTS = ("results", "limitations", "causes", "next_steps")


class TaskSection(models.Model):
    """What an organisation reports on one task of the plan."""

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("báo cáo"), on_delete=models.CASCADE, related_name="sections"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.PROTECT, related_name="sections"
    )
    results = models.TextField(_("kết quả đạt được"), blank=True)
    limitations = models.TextField(_("hạn chế"), blank=True)
    causes = models.TextField(_("nguyên nhân"), blank=True)
    next_steps = models.TextField(_("phương hướng, giải pháp thời gian tới"), blank=True)
    level = models.CharField(_("tự đánh giá"), max_length=16, choices=Level.choices, blank=True)

    class Meta:
        verbose_name = _("phần báo cáo theo nhiệm vụ")
        verbose_name_plural = _("phần báo cáo theo nhiệm vụ")
        ordering = ["report", "task__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="section_unique_task"),
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.task}"


class IndicatorValue(models.Model):
    report = models.ForeignKey(
        AnnualReport, verbose_name=_("báo cáo"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(_("giá trị"), max_digits=16, decimal_places=2, null=True)
    # What the reports addressed to this report's organisation added up to when the figure
    # was filled from them (None when it was not), from how many of how many reports; a
    # value that differs needs ``reason``, which the reviewer above reads.
    derived = models.DecimalField(
        _("tổng hợp từ cấp dưới"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Database defaults too: bulk loads (COPY) leave these columns out.
    derived_from = models.PositiveIntegerField(
        _("số báo cáo cấp dưới đã tính"), default=0, db_default=0
    )
    derived_of = models.PositiveIntegerField(
        _("số báo cáo cấp dưới phải có"), default=0, db_default=0
    )
    reason = models.CharField(
        _("lý do điều chỉnh"), max_length=500, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="value_unique_indicator"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


# Statuses whose reports the provincial figures count (accepted, and submitted on request).
# Their content cannot change, so running totals over them stay exact.
TALLIED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class IndicatorTally(models.Model):
    """Running totals of one indicator over a cycle's reports in one counted status.

    Kept by ``reports.figures.tallies`` in the same transaction as each submission, acceptance,
    return and reopening, so the rollup reads a few hundred rows instead of summing
    millions of figures. ``maximum`` only grows on the way in; when a report carrying the
    maximum leaves, the row is marked stale and the next reader recomputes it."""

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.CASCADE, related_name="indicator_tallies"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ReportStatus.choices)
    # The committee the counted reports are addressed to (AnnualReport.reports_to), 0 for
    # none: each level's totals are its own rows, so nobody is summed twice up the tree.
    node = models.IntegerField(default=0)
    total = models.DecimalField(max_digits=24, decimal_places=2, default=0)
    count = models.IntegerField(default=0)  # reports that gave a figure
    maximum = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    maximum_stale = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("tổng số liệu")
        verbose_name_plural = _("tổng số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "node", "indicator", "status"], name="indicator_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.indicator_id}/{self.status}: {self.total} ({self.count})"


class LevelTally(models.Model):
    """How many of a cycle's reports in one counted status rated one task at one level
    ("" for not rated). Kept with ``IndicatorTally``."""

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.CASCADE, related_name="level_tallies"
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ReportStatus.choices)
    node = models.IntegerField(default=0)  # as IndicatorTally.node
    level = models.CharField(max_length=16, choices=Level.choices, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("tổng tự đánh giá")
        verbose_name_plural = _("tổng tự đánh giá")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "node", "task", "status", "level"], name="level_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.task_id}/{self.status}/{self.level}: {self.count}"


class CycleCount(models.Model):
    """A closed cycle's figures at one committee (``reports.figures.definitions.
    CycleFigures``): how many organisations it expected, how many submitted, on time, and
    in each status. A closed cycle's counts hardly ever change, so they are counted once
    and read back in one query with every other closed year's (the rollup's trend);
    ``reports.figures.closed`` forgets them whenever something they count may change."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="+")
    # The committee whose level is counted (its Organisation id): the node of the cascade.
    node = models.IntegerField()
    expected = models.IntegerField()
    actual = models.IntegerField()
    on_time = models.IntegerField()
    accepted = models.IntegerField()
    submitted = models.IntegerField()
    returned = models.IntegerField()
    draft = models.IntegerField()
    counted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("số liệu kỳ đã đóng")
        verbose_name_plural = _("số liệu kỳ đã đóng")
        constraints = [
            models.UniqueConstraint(fields=["node", "cycle"], name="cycle_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.node}: {self.actual}/{self.expected}"


class AttachmentKind(models.TextChoices):
    SIGNED_SCAN = "signed_scan", _("Bản scan có chữ ký, đóng dấu")
    SUPPORTING = "supporting", _("Tài liệu kèm theo")


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never comes from the user: a random name, the checked extension.
    return f"reports/{instance.report.cycle_id}/{instance.report_id}/{uuid.uuid4().hex}.{instance.extension}"  # noqa: E501


class Attachment(models.Model):
    report = models.ForeignKey(
        AnnualReport, verbose_name=_("báo cáo"), on_delete=models.PROTECT,
        related_name="attachments",
    )  # fmt: skip
    kind = models.CharField(_("loại tệp"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    extension = models.CharField(_("phần mở rộng"), max_length=8)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    removed_at = models.DateTimeField(_("gỡ bỏ lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["report", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("reports:attachment_download", args=[self.report_id, self.pk])


class EventKind(models.TextChoices):
    CREATED = "created", _("Tạo báo cáo")
    SAVED = "saved", _("Lưu nháp")
    SUBMITTED = "submitted", _("Gửi báo cáo")
    RETURNED = "returned", _("Trả lại")
    ACCEPTED = "accepted", _("Tiếp nhận")
    REOPENED = "reopened", _("Mở lại")
    ATTACHED = "attached", _("Đính kèm tệp")
    DETACHED = "detached", _("Gỡ tệp")


class ReportEvent(models.Model):
    """One step in a report's history. Written once, never changed."""

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("báo cáo"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("bước"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    comment = models.TextField(_("ý kiến"), blank=True)
    section_comments = models.JSONField(_("ý kiến theo nhiệm vụ"), default=dict, blank=True)
    snapshot = models.JSONField(_("bản chụp nội dung"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    class Meta:
        verbose_name = _("lịch sử báo cáo")
        verbose_name_plural = _("lịch sử báo cáo")
        ordering = ["report", "at", "pk"]
        indexes = [models.Index(fields=["report", "kind", "at"], name="event_report_kind_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("ReportEvent rows are never changed once written.")
        super().save(*args, **kwargs)


def subplan_path(instance: "SubPlan", filename: str) -> str:
    return f"subplans/{instance.plan_id}/{uuid.uuid4().hex}.{instance.extension}"


class SubPlan(models.Model):
    """An organisation's own implementation plan for a provincial plan (section III.1)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="subplans"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, related_name="subplans"
    )
    number = models.CharField(_("số hiệu"), max_length=64)
    issued_on = models.DateField(_("ngày ban hành"))
    file = models.FileField(_("tệp"), upload_to=subplan_path, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    extension = models.CharField(_("phần mở rộng"), max_length=8)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đăng ký"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    registered_at = models.DateTimeField(_("đăng ký lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("kế hoạch thực hiện của đơn vị")
        verbose_name_plural = _("kế hoạch thực hiện của đơn vị")
        ordering = ["plan", "organisation__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="subplan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.organisation.display_name}"

    def get_absolute_url(self) -> str:
        return reverse("reports:subplan_download", args=[self.pk])

    @property
    def on_time(self) -> bool | None:
        if self.plan.subplans_due is None:
            return None
        return self.registered_at <= end_of_day(self.plan.subplans_due)


# Reminders, notifications and the outbox ------------------------------------------------


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")
    SKIPPED = "skipped", _("Không cần gửi")


class ClaimedDelivery(models.Model):
    """A message claimed (inserted) before it is sent, and what became of it."""

    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ReminderStatus.choices,
        default=ReminderStatus.CLAIMED,
    )  # fmt: skip
    recipients = models.JSONField(_("người nhận"), default=list, blank=True)
    claimed_at = models.DateTimeField(_("bắt đầu lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        abstract = True


class Reminder(ClaimedDelivery):
    """One deadline reminder to one organisation at one stage of a cycle.

    The row is claimed (inserted) before anything is sent; the unique constraint makes a
    second claim of the same (cycle, organisation, stage) fail, so a reminder goes out at
    most once however often, and in however many workers, the job runs."""

    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
        related_name="reminders",
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT,
        related_name="reminders",
    )  # fmt: skip
    # e.g. "due-14" (14 days before), "due+7" (7 days after), "due+21" (weekly after the
    # last offset), "manual-2026-12-16" (a reviewer's "send now", at most once a day).
    stage = models.CharField(_("mốc nhắc"), max_length=32)
    days_to_due = models.IntegerField(_("số ngày so với hạn nộp"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("nhắc hạn")
        verbose_name_plural = _("nhắc hạn")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "stage"], name="reminder_once_per_stage"
            ),
        ]
        indexes = [models.Index(fields=["cycle", "organisation"], name="reminder_cycle_org")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.stage}"


class ReviewerDigest(ClaimedDelivery):
    """The one daily digest of overdue organisations sent to the reviewers of one
    committee (``node``): it names only the organisations that report to that committee."""

    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
        related_name="digests",
    )  # fmt: skip
    # Nullable only for rows written before digests went to each level; the migration
    # gave those their plan's top committee.
    node = models.ForeignKey(
        Organisation, verbose_name=_("cấp nhận báo cáo"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    day = models.DateField(_("ngày"))
    overdue = models.JSONField(_("đơn vị quá hạn"), default=list, blank=True)

    class Meta:
        verbose_name = _("bản tổng hợp quá hạn gửi Ban Tổ chức")
        verbose_name_plural = _("bản tổng hợp quá hạn gửi Ban Tổ chức")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "node", "day"], name="digest_once_per_node_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} — {self.day:%d/%m/%Y}"


class Notification(models.Model):
    """An in-app notification: what the top bar's bell counts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE,
        related_name="notifications",
    )  # fmt: skip
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("liên kết"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class OutboxMessage(models.Model):
    """An e-mail decided inside a transaction (a submission, a return), written in that
    same transaction. A job delivers it; if the broker is down at that moment, the
    periodic sweep picks it up later, so no notification is lost."""

    kind = models.CharField(_("loại"), max_length=64)
    to = models.JSONField(_("người nhận"), default=list)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body_text = models.TextField(_("nội dung"))
    body_html = models.TextField(_("nội dung HTML"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
    )  # fmt: skip
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    report = models.ForeignKey(
        AnnualReport, verbose_name=_("báo cáo"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="outbox",
    )  # fmt: skip

    class Meta:
        verbose_name = _("thư chờ gửi")
        verbose_name_plural = _("thư chờ gửi")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return self.subject


# The yearly summary -------------------------------------------------------------------------


class SummaryStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tổng hợp")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Không thành công")


def summary_path(instance: "YearlySummary", filename: str) -> str:
    return f"summaries/{instance.cycle_id}/{uuid.uuid4().hex}-{filename}"


class SignerAuthority(models.TextChoices):
    """How a signer signs (Hướng dẫn 36-HD/VPTW, thể thức đề ký): for the collective (T/M),
    by its leave (T/L), in place of the head (KT.), or as the head (no prefix)."""

    DIRECT = "", _("Người đứng đầu ký")
    TM = "tm", _("T/M — thay mặt tập thể")
    TL = "tl", _("T/L — thừa lệnh")
    KT = "kt", _("KT. — ký thay người đứng đầu")


class YearlySummary(models.Model):
    """Ban Tổ chức's yearly report to Ban Thường vụ (plan section III.3), built by a job."""

    cycle = models.OneToOneField(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
        related_name="summary",
    )  # fmt: skip
    number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    # Who signs, and with what authority (reports.documents.party.Authority): empty fields
    # take the issuing body's default signer from its data.
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    signer_authority = models.CharField(
        _("thẩm quyền ký"), max_length=4, blank=True, choices=SignerAuthority.choices
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=SummaryStatus.choices,
        default=SummaryStatus.QUEUED,
    )  # fmt: skip
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    step = models.CharField(_("đang làm"), max_length=255, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    include_submitted = models.BooleanField(_("tính cả báo cáo chưa tiếp nhận"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    # Written by a running build with each step and every few seconds in between: a build
    # whose worker died stops writing it, and shows failed within minutes.
    heartbeat_at = models.DateTimeField(_("còn chạy lúc"), null=True, blank=True)
    docx = models.FileField(_("tệp Word"), upload_to=summary_path, blank=True, max_length=255)
    docx_built_at = models.DateTimeField(_("tạo tệp Word lúc"), null=True, blank=True)
    xlsx = models.FileField(_("tệp Excel"), upload_to=summary_path, blank=True, max_length=255)
    xlsx_built_at = models.DateTimeField(_("tạo tệp Excel lúc"), null=True, blank=True)
    pdf = models.FileField(_("tệp PDF"), upload_to=summary_path, blank=True, max_length=255)
    pdf_built_at = models.DateTimeField(_("tạo tệp PDF lúc"), null=True, blank=True)
    figures = models.JSONField(_("số liệu"), default=dict, blank=True)

    class Meta:
        verbose_name = _("báo cáo tổng hợp năm")
        verbose_name_plural = _("báo cáo tổng hợp năm")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="summary_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return _("Báo cáo tổng hợp năm %(year)s") % {"year": self.cycle.year}


# Ban Tổ chức's draft of the yearly summary ----------------------------------------------


class SummaryDraft(models.Model):
    """The yearly summary's text as Ban Tổ chức edits it before the files are built: parts
    the application composes from the cycle's figures and the units' words, each then
    edited by people (``DraftPart``)."""

    cycle = models.OneToOneField(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
        related_name="summary_draft",
    )  # fmt: skip
    # Whether the composed text counts submitted reports not yet accepted (as the
    # summary's own switch does).
    include_submitted = models.BooleanField(_("tính cả báo cáo chưa tiếp nhận"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    composed_at = models.DateTimeField(_("cập nhật số liệu lúc"), default=timezone.now)
    composed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật số liệu"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("dự thảo báo cáo tổng hợp")
        verbose_name_plural = _("dự thảo báo cáo tổng hợp")

    def __str__(self) -> str:
        return _("Dự thảo báo cáo tổng hợp năm %(year)s") % {"year": self.cycle.year}

    def get_absolute_url(self) -> str:
        return reverse("reports:draft_detail", args=[self.cycle_id])


class DraftPart(models.Model):
    """One part of the draft: its heading, the text as it stands (``text``), the text the
    application last composed for it (``generated``), and a newer composed text waiting
    for a person to take or leave it (``pending``, only on parts a person edited)."""

    draft = models.ForeignKey(
        SummaryDraft, verbose_name=_("dự thảo"), on_delete=models.CASCADE, related_name="parts"
    )
    key = models.CharField(_("mã phần"), max_length=32)
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    # The roman-numbered section the part belongs to ("II. KẾT QUẢ …"), and its own heading
    # inside it ("1. …"), either blank.
    section = models.CharField(_("mục"), max_length=255, blank=True)
    heading = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    text = models.TextField(_("nội dung"), blank=True)
    generated = models.TextField(_("nội dung do hệ thống tổng hợp"), blank=True)
    # None when nothing waits; "" is a composed text too (a part the figures emptied).
    pending = models.TextField(  # noqa: DJ001
        _("nội dung tổng hợp mới chờ quyết định"), null=True, blank=True
    )
    # What a person may quote from while editing: [{"unit", "text", "url", "task"}].
    quotes = models.JSONField(_("trích dẫn gợi ý"), default=list, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người sửa"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    edited_at = models.DateTimeField(_("sửa lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    class Meta:
        verbose_name = _("phần của dự thảo")
        verbose_name_plural = _("phần của dự thảo")
        ordering = ["draft", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "key"], name="draft_part_unique_key"),
            models.UniqueConstraint(
                fields=["draft", "position"], name="draft_part_unique_position"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="draft_part_version_positive"),
            models.CheckConstraint(
                condition=Q(edited_at__isnull=False) | Q(edited_by__isnull=True),
                name="draft_part_editor_has_time",
            ),
            # Only a person's text waits on a decision: an untouched part takes the new one.
            models.CheckConstraint(
                condition=Q(pending__isnull=True) | Q(edited_at__isnull=False),
                name="draft_part_pending_only_when_edited",
            ),
        ]

    def __str__(self) -> str:
        return self.heading or self.section or self.key

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class VersionSource(models.TextChoices):
    GENERATED = "generated", _("Hệ thống tổng hợp")
    EDITED = "edited", _("Người sửa")
    RESTORED = "restored", _("Khôi phục")


class DraftPartVersion(models.Model):
    """Every text a draft part has had, in order. Written once, never changed."""

    part = models.ForeignKey(
        DraftPart, verbose_name=_("phần"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("số phiên bản"))
    text = models.TextField(_("nội dung"), blank=True)
    source = models.CharField(_("nguồn"), max_length=16, choices=VersionSource.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("phiên bản phần dự thảo")
        verbose_name_plural = _("phiên bản phần dự thảo")
        ordering = ["part", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["part", "number"], name="draft_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="draft_version_positive"),
            models.CheckConstraint(
                condition=Q(source__in=VersionSource.values), name="draft_version_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} — {self.number}"


# Files of the dashboard and the rollup, built by a job -----------------------------------


class ExportKind(models.TextChoices):
    DASHBOARD = "dashboard", _("Bảng theo dõi báo cáo")
    ROLLUP = "rollup", _("Tổng hợp số liệu")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    EXCEL_CSV = "excel.csv", _("CSV cho Excel")
    CSV = "csv", _("CSV cho máy")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang lập tệp")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không thành công")


def export_path(instance: "ExportJob", filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}-{filename}"


class ExportJob(models.Model):
    """One person's request for the file of a dashboard or a rollup too large to write
    while the page waits. Kept a day (EXPORT_KEEP_HOURS), then removed with its file."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("loại bảng"), max_length=16, choices=ExportKind.choices)
    fmt = models.CharField(_("định dạng"), max_length=16, choices=ExportFormat.choices)
    # The dashboard's cycle, or the cycle of the rollup's year.
    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.CASCADE, related_name="+"
    )
    # The page's filters as a query string in a fixed order, with the level and the year
    # already resolved ("don_vi=TV-HCL&loai=grassroots"): the same request, the same text.
    query = models.CharField(_("bộ lọc"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
    )  # fmt: skip
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    rows_done = models.PositiveIntegerField(_("số đơn vị đã ghi"), default=0)
    rows_total = models.PositiveIntegerField(_("tổng số đơn vị"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    file = models.FileField(_("tệp"), upload_to=export_path, blank=True, max_length=255)
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    requested_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    # Written with the progress while the file is written: a job whose worker died stops
    # writing it, and shows failed within minutes.
    heartbeat_at = models.DateTimeField(_("còn chạy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp xuất")
        verbose_name_plural = _("tệp xuất")
        indexes = [models.Index(fields=["requested_at"], name="export_requested_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="export_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(rows_done__lte=F("rows_total")), name="export_rows_done_at_most_total"
            ),
            # A double click, or two tabs, start one job: one waiting or running job per
            # person and identical request.
            models.UniqueConstraint(
                fields=["requested_by", "kind", "fmt", "cycle", "query"],
                condition=Q(status__in=["queued", "running"]),
                name="export_one_active_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cycle.year} ({self.get_fmt_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:export_job_detail", args=[self.pk])
