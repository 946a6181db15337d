"""The content of a plan: its legal basis, purposes, tasks, figures and duties.

Nothing here knows about one particular plan; every plan is loaded from a data file
(``load_plan``). "Task" always means a task of a plan (nhiệm vụ), never a Celery job.
"""

from collections.abc import Mapping

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, OrganisationKind


class DocumentKind(models.TextChoices):
    CONCLUSION = "conclusion", _("Kết luận")
    RESOLUTION = "resolution", _("Nghị quyết")
    DIRECTIVE = "directive", _("Chỉ thị")
    PROGRAMME = "programme", _("Chương trình hành động")
    PLAN = "plan", _("Kế hoạch")
    REGULATION = "regulation", _("Quy định")
    DECISION = "decision", _("Quyết định")


class Document(models.Model):
    """A document a plan cites as its basis (căn cứ)."""

    number = models.CharField(_("số hiệu"), max_length=64, unique=True)
    kind = models.CharField(_("loại văn bản"), max_length=16, choices=DocumentKind.choices)
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    title = models.TextField(_("trích yếu"), blank=True)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} số {self.number}"


class ChildrenRule(models.TextChoices):
    """What a committee's report needs from the reports addressed to it before it goes up."""

    WARN = "warn", _("Nhắc nếu còn báo cáo cấp dưới chưa tiếp nhận")
    REQUIRE = "require", _("Chỉ gửi khi mọi báo cáo cấp dưới đã được tiếp nhận")


class Plan(models.Model):
    code = models.SlugField(_("mã"), max_length=64, unique=True)
    number = models.CharField(_("số hiệu"), max_length=64, unique=True)
    title = models.TextField(_("trích yếu"))
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="issued_plans",
    )
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    preamble = models.TextField(_("phần mở đầu"), blank=True)
    closing = models.TextField(_("phần kết"), blank=True)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    subplans_due = models.DateField(_("hạn ban hành kế hoạch thực hiện"), null=True, blank=True)
    children_rule = models.CharField(
        _("báo cáo cấp dưới trước khi gửi lên"),
        max_length=16,
        choices=ChildrenRule.choices,
        default=ChildrenRule.WARN,
    )
    basis = models.ManyToManyField(
        Document, verbose_name=_("căn cứ"), related_name="implementing_plans", blank=True
    )
    documents = models.ManyToManyField(
        Document, verbose_name=_("văn bản được dẫn"), related_name="citing_plans", blank=True
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-date", "number"]

    def __str__(self) -> str:
        return _("Kế hoạch số %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("tasks:plan_detail", args=[self.code])


class Purpose(models.Model):
    """An item of section I (mục đích, yêu cầu)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="purposes"
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung"))
    documents = models.ManyToManyField(Document, verbose_name=_("văn bản được dẫn"), blank=True)

    class Meta:
        verbose_name = _("mục đích, yêu cầu")
        verbose_name_plural = _("mục đích, yêu cầu")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="purpose_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="purpose_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Task(models.Model):
    """An item of section II (nhiệm vụ và giải pháp)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="tasks"
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("tên ngắn"), max_length=255)
    text = models.TextField(_("nội dung"))
    documents = models.ManyToManyField(Document, verbose_name=_("văn bản được dẫn"), blank=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="task_number_positive"),
        ]

    def __str__(self) -> str:
        return _("Nhiệm vụ %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class TaskAction(models.Model):
    """One concrete sentence of a task, in the order the text gives them."""

    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="actions"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("hoạt động cụ thể")
        verbose_name_plural = _("hoạt động cụ thể")
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="action_unique_position"),
        ]

    def __str__(self) -> str:
        return self.text

    def done_by(self, organisation: Organisation) -> bool:
        """Whether the organisation is one the action names as acting (an action that
        names nobody is everyone's). Reads ``actors`` from a prefetch when there is one."""
        actors = list(self.actors.all())
        return not actors or any(actor.selects(organisation) for actor in actors)


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    PERCENT = "percent", _("Tỷ lệ phần trăm")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Cộng")
    AVERAGE = "average", _("Trung bình")
    MAX = "max", _("Lớn nhất")


class Indicator(models.Model):
    """A figure each reporter gives every year for a task."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="indicators"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("mã"), max_length=64)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên chỉ tiêu"), max_length=255)
    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    value_type = models.CharField(
        _("kiểu giá trị"), max_length=16, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    required = models.BooleanField(_("bắt buộc"), default=True)
    help = models.TextField(_("hướng dẫn"), blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["task__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Operator(models.TextChoices):
    LTE = "lte", "≤"
    LT = "lt", "<"
    EQ = "eq", "="
    GTE = "gte", "≥"
    GT = "gt", ">"


class ValidationRule(models.Model):
    """sum(parts) <operator> sum(whole), over indicator codes of the same plan."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="rules"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    parts = models.JSONField(_("các thành phần"))
    operator = models.CharField(_("phép so sánh"), max_length=4, choices=Operator.choices)
    whole = models.JSONField(_("tổng thể"))
    message = models.CharField(_("thông báo lỗi"), max_length=500)

    class Meta:
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")
        ordering = ["task__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="rule_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{' + '.join(self.parts)} {self.get_operator_display()} {' + '.join(self.whole)}"

    def codes(self) -> set[str]:
        return set(self.parts) | set(self.whole)

    def holds(self, values: Mapping[str, object]) -> bool | None:
        """Whether the rule holds for these values; None when a figure is missing."""
        try:
            left = sum(values[code] for code in self.parts)
            right = sum(values[code] for code in self.whole)
        except (KeyError, TypeError):
            return None
        return {
            Operator.LTE: left <= right,
            Operator.LT: left < right,
            Operator.EQ: left == right,
            Operator.GTE: left >= right,
            Operator.GT: left > right,
        }[self.operator]


class Recurrence(models.TextChoices):
    ONCE = "once", _("Một lần")
    YEARLY = "yearly", _("Hằng năm")
    ONGOING = "ongoing", _("Thường xuyên")


class Duty(models.Model):
    """An item of section III (tổ chức thực hiện): who leads, who coordinates."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="duties"
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung"))
    deliverable = models.CharField(_("sản phẩm"), max_length=500, blank=True)
    recurrence = models.CharField(
        _("tần suất"), max_length=16, choices=Recurrence.choices, default=Recurrence.YEARLY
    )
    # The leads of such a duty each issue their own implementation plan (a sub-plan).
    requires_subplan = models.BooleanField(
        _("đơn vị chủ trì phải ban hành kế hoạch"), default=False
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("nhiệm vụ liên quan"), related_name="duties", blank=True
    )

    class Meta:
        verbose_name = _("phân công thực hiện")
        verbose_name_plural = _("phân công thực hiện")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="duty_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COORDINATE = "coordinate", _("Phối hợp")


class OrganisationSelector(models.Model):
    """Names either one organisation or every organisation of a kind.

    Kinds keep plans true when organisations come and go: "every district committee"
    still means the right ones after a merger, with no edit to the plan."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, null=True, blank=True
    )
    kind = models.CharField(
        _("loại tổ chức"), max_length=32, choices=OrganisationKind.choices, blank=True
    )

    class Meta:
        abstract = True

    def selects(self, organisation: Organisation) -> bool:
        if self.organisation_id is not None:
            return self.organisation_id == organisation.pk
        return self.kind == organisation.kind

    @property
    def label(self) -> str:
        if self.organisation_id is not None:
            return self.organisation.display_name
        return str(OrganisationKind(self.kind).label)

    @staticmethod
    def one_of_constraint(name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=(Q(organisation__isnull=False) & Q(kind=""))
            | (Q(organisation__isnull=True) & ~Q(kind="")),
            name=name,
        )


class DutyParticipant(OrganisationSelector):
    duty = models.ForeignKey(
        Duty, verbose_name=_("phân công"), on_delete=models.CASCADE, related_name="participants"
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=ParticipantRole.choices)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("đơn vị thực hiện")
        verbose_name_plural = _("đơn vị thực hiện")
        ordering = ["duty", "role", "position"]
        constraints = [
            OrganisationSelector.one_of_constraint("participant_org_or_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.label}"


class ReportingScope(OrganisationSelector):
    """Which organisations report on which task of a plan."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="scopes"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="scopes"
    )

    class Meta:
        verbose_name = _("phạm vi báo cáo")
        verbose_name_plural = _("phạm vi báo cáo")
        ordering = ["plan", "task__number"]
        constraints = [
            OrganisationSelector.one_of_constraint("scope_org_or_kind"),
            models.UniqueConstraint(
                fields=["task", "organisation"],
                condition=Q(organisation__isnull=False),
                name="scope_unique_organisation",
            ),
            models.UniqueConstraint(
                fields=["task", "kind"], condition=~Q(kind=""), name="scope_unique_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.task}"


class ReportsTo(models.TextChoices):
    PARENT = "parent", _("Cấp ủy cấp trên trực tiếp")
    TOP = "top", _("Cấp ủy cao nhất (tỉnh ủy)")


class ReportingLine(models.Model):
    """To whom the organisations of one kind address their reports under a plan, and how
    many days before the cycle's due date their own deadline falls. A kind without a line
    reports to its parent committee on the cycle's due date."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("loại tổ chức"), max_length=32, choices=OrganisationKind.choices)
    reports_to = models.CharField(
        _("báo cáo lên"), max_length=16, choices=ReportsTo.choices, default=ReportsTo.PARENT
    )
    days_before_due = models.PositiveSmallIntegerField(_("nộp trước hạn chung (ngày)"), default=0)

    class Meta:
        verbose_name = _("tuyến báo cáo")
        verbose_name_plural = _("tuyến báo cáo")
        ordering = ["plan", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="reporting_line_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.get_reports_to_display()}"


class ActionActor(OrganisationSelector):
    """Who carries out a task's action, when the text names someone: a plan's sentence
    may give the province's job and the districts' in one breath (task 7 of 112-KH/TU),
    and a committee reports on its own actions only."""

    action = models.ForeignKey(
        TaskAction, verbose_name=_("hoạt động"), on_delete=models.CASCADE, related_name="actors"
    )

    class Meta:
        verbose_name = _("đơn vị thực hiện hoạt động")
        verbose_name_plural = _("đơn vị thực hiện hoạt động")
        constraints = [
            OrganisationSelector.one_of_constraint("action_actor_org_or_kind"),
        ]

    def __str__(self) -> str:
        return self.label


class Contributor(OrganisationSelector):
    """A body that contributes to the plan's yearly report instead of reporting: it guides
    and coordinates "theo chức năng, nhiệm vụ" (duties 2 and 3 of 112-KH/TU), gives its
    words on the tasks of its function to the duty's lead (``to``), and never counts in a
    rate (DESIGN §5)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="contributors"
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("nhiệm vụ đóng góp"), related_name="contributors", blank=True
    )
    to = models.ForeignKey(
        Organisation,
        verbose_name=_("gửi đến"),
        on_delete=models.PROTECT,
        related_name="contributions_expected",
    )

    class Meta:
        verbose_name = _("đơn vị đóng góp ý kiến")
        verbose_name_plural = _("đơn vị đóng góp ý kiến")
        ordering = ["plan", "pk"]
        constraints = [
            OrganisationSelector.one_of_constraint("contributor_org_or_kind"),
            models.UniqueConstraint(
                fields=["plan", "organisation"],
                condition=Q(organisation__isnull=False),
                name="contributor_unique_organisation",
            ),
            models.UniqueConstraint(
                fields=["plan", "kind"], condition=~Q(kind=""), name="contributor_unique_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.to}"
