"""What the API answers, field by field. Output only: nothing here is ever written.

Figures come from `reports.figures` unchanged, so the API, the pages and the exports
cannot disagree. Decimals are JSON numbers (COERCE_DECIMAL_TO_STRING is off), dates and
times ISO 8601 with the Asia/Ho_Chi_Minh offset.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations.models import OrganisationKind
from reports.figures.definitions import cycle_figures
from reports.models import NOT_STARTED_LABEL, CycleStatus, ReportStatus
from reports.selectors import ExpectedRow
from tasks.models import Aggregation, Indicator, ValueType

MISSING = "missing"


def percent_field(help_text) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text=help_text,
    )


# A count (how many people, organisations…) is a whole number and is written as one:
# 1512, never 1512.0. Other amounts (averages, decimals, percentages) stay JSON numbers.
# OpenAPI 3.0 reads "nullable" only beside a "type", hence one in each branch.
AMOUNT_SCHEMA = {
    "anyOf": [{"type": "integer", "nullable": True}, {"type": "number", "nullable": True}],
    "description": "integer when the indicator is a count (value_type integer, summed or"
    " the largest), a decimal number otherwise",
}


@extend_schema_field(AMOUNT_SCHEMA)
class AmountField(serializers.DecimalField):
    def __init__(self, help_text):
        # No max_digits: a provincial sum may outgrow one report's 16 digits.
        super().__init__(max_digits=None, decimal_places=2, allow_null=True, help_text=help_text)


def amount_field(help_text) -> AmountField:
    return AmountField(help_text)


def counts_whole(indicator: Indicator) -> bool:
    """Whether an indicator's totals are counts: whole figures added up (or the largest
    taken) stay whole; an average of them need not."""
    return (
        indicator.value_type == ValueType.INTEGER and indicator.aggregation != Aggregation.AVERAGE
    )


class FiguresSerializer(serializers.Serializer):
    """A cycle's figures (DESIGN §5); rates are percentages, denominator = expected."""

    expected = serializers.IntegerField(help_text=_("Số đơn vị phải báo cáo / expected reports"))
    actual = serializers.IntegerField(help_text=_("Số đơn vị đã gửi báo cáo / reports submitted"))
    on_time = serializers.IntegerField(help_text=_("Gửi đúng hạn / submitted on time"))
    late = serializers.IntegerField(help_text=_("Gửi quá hạn / submitted late"))
    missing = serializers.IntegerField(help_text=_("Chưa gửi / not submitted"))
    accepted = serializers.IntegerField(help_text=_("Đã tiếp nhận / accepted"))
    completeness = percent_field(_("Tỷ lệ đầy đủ (%) / completeness (%)"))
    timeliness = percent_field(_("Tỷ lệ đúng hạn (%) / timeliness (%)"))
    acceptance = percent_field(_("Tỷ lệ đã tiếp nhận (%) / accepted (%)"))


class PlanRefSerializer(serializers.Serializer):
    code = serializers.SlugField(help_text=_("Mã kế hoạch / plan code"))
    number = serializers.CharField(help_text=_("Số hiệu, ví dụ 112-KH/TU / plan number"))


class CycleSerializer(serializers.Serializer):
    """A reporting cycle; `figures` only for those who oversee its plan, else null."""

    id = serializers.IntegerField()
    plan = PlanRefSerializer()
    year = serializers.IntegerField(help_text=_("Năm báo cáo / reporting year"))
    title = serializers.CharField(source="__str__", help_text=_("Tên kỳ báo cáo / title"))
    period_start = serializers.DateField(help_text=_("Kỳ báo cáo từ ngày / period start"))
    period_end = serializers.DateField(help_text=_("Kỳ báo cáo đến ngày / period end"))
    opens_on = serializers.DateField(help_text=_("Ngày mở nhận báo cáo / opens on"))
    due_on = serializers.DateField(help_text=_("Hạn nộp báo cáo / due on"))
    closes_on = serializers.DateField(help_text=_("Ngày đóng kỳ báo cáo / closes on"))
    deadline = serializers.DateTimeField(
        help_text=_("Thời điểm cuối cùng được tính là đúng hạn / last on-time instant")
    )
    status = serializers.ChoiceField(
        choices=CycleStatus.choices,
        help_text=_("Trạng thái kỳ báo cáo / cycle status"),
    )
    figures = serializers.SerializerMethodField(
        help_text=_(
            "Số liệu của kỳ; null với người không theo dõi kế hoạch / "
            "the cycle's figures; null for those who do not oversee the plan"
        )
    )

    @extend_schema_field(FiguresSerializer(allow_null=True))
    def get_figures(self, cycle) -> dict | None:
        if cycle.plan_id not in self.context["overseen"]:
            return None
        return FiguresSerializer(cycle_figures(cycle, self.context["node_of"](cycle.plan))).data


class OrganisationRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Mã đơn vị / organisation code"))
    name = serializers.CharField(help_text=_("Tên đơn vị / organisation name"))
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, help_text=_("Loại đơn vị / organisation kind")
    )


class StatusRowSerializer(serializers.Serializer):
    """One expected organisation of a cycle and where its report stands."""

    organisation = OrganisationRefSerializer()
    successor = serializers.CharField(
        source="organisation.successor.code",
        allow_null=True,
        default=None,
        help_text=_(
            "Mã tổ chức kế thừa nếu đơn vị đã sáp nhập, chia tách; null nếu không / "
            "code of the organisation that succeeds it after a merger or split, else null"
        ),
    )
    report = serializers.IntegerField(
        source="report.pk",
        allow_null=True,
        help_text=_("Mã báo cáo, null nếu chưa có / report id, null if none"),
    )
    status = serializers.SerializerMethodField(
        help_text=_("Trạng thái báo cáo, “missing” nếu chưa bắt đầu / status or “missing”")
    )
    first_submitted_at = serializers.DateTimeField(
        source="report.first_submitted_at",
        allow_null=True,
        help_text=_("Gửi lần đầu lúc / first submitted at"),
    )
    on_time = serializers.BooleanField(
        source="report.on_time",
        allow_null=True,
        help_text=_("Đúng hạn; null nếu chưa gửi / on time; null if never submitted"),
    )
    days_late = serializers.SerializerMethodField(
        help_text=_(
            "Số ngày quá hạn: của lần gửi đầu, hoặc tính đến hôm nay nếu chưa gửi / "
            "days past due: of the first submission, or as of today if none"
        )
    )
    submission_count = serializers.SerializerMethodField(
        help_text=_("Số lần gửi / times submitted")
    )
    overdue = serializers.BooleanField(
        help_text=_(
            "Quá hạn mà chưa gửi, hoặc bị trả lại chưa gửi lại / past the deadline and not "
            "submitted, or returned and not sent back"
        )
    )

    @extend_schema_field(
        serializers.ChoiceField(choices=[*ReportStatus.choices, (MISSING, NOT_STARTED_LABEL)])
    )
    def get_status(self, row: ExpectedRow) -> str:
        return row.report.status if row.report is not None else MISSING

    def get_days_late(self, row: ExpectedRow) -> int:
        if row.report is not None:
            return row.report.days_late
        # The same rule as AnnualReport.days_late for a report never submitted.
        return max(0, (timezone.localdate() - row.deadline.date()).days)

    def get_submission_count(self, row: ExpectedRow) -> int:
        return row.report.submission_count if row.report is not None else 0


class IndicatorTotalSerializer(serializers.Serializer):
    code = serializers.CharField(source="indicator.code", help_text=_("Mã chỉ tiêu / code"))
    name = serializers.CharField(source="indicator.name", help_text=_("Tên chỉ tiêu / name"))
    unit = serializers.CharField(source="indicator.unit", help_text=_("Đơn vị tính / unit"))
    task = serializers.IntegerField(
        source="indicator.task.number", help_text=_("Số thứ tự nhiệm vụ / task number")
    )
    aggregation = serializers.ChoiceField(
        source="indicator.aggregation",
        choices=Aggregation.choices,
        help_text=_("Cách tổng hợp / how reports are combined"),
    )
    value = amount_field(_("Tổng của kỳ này; null nếu chưa có số liệu / this cycle's total"))
    previous = amount_field(_("Tổng của kỳ trước / previous cycle's total"))
    change = amount_field(_("Tăng, giảm so với kỳ trước / change from the previous cycle"))
    change_percent = serializers.DecimalField(
        max_digits=None,
        decimal_places=1,
        allow_null=True,
        help_text=_("Tăng, giảm (%) / change (%)"),
    )
    value_type = serializers.ChoiceField(
        source="indicator.value_type",
        choices=ValueType.choices,
        help_text=_(
            "Kiểu số liệu; integer: value, previous, change là số nguyên (trừ khi tính trung"
            " bình) / integer: value, previous and change are whole numbers (unless averaged)"
        ),
    )
    reports = serializers.IntegerField(
        help_text=_("Số báo cáo có số liệu / reports that gave a figure")
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if counts_whole(instance.indicator):
            for key in ("value", "previous", "change"):
                if data[key] is not None and data[key] == data[key].to_integral_value():
                    data[key] = int(data[key])
        return data


class CycleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()


class RollupSerializer(serializers.Serializer):
    cycle = CycleRefSerializer()
    previous_cycle = CycleRefSerializer(
        allow_null=True, help_text=_("Kỳ trước để so sánh / the cycle compared with")
    )
    include_submitted = serializers.BooleanField(
        help_text=_(
            "true: tính cả báo cáo đã gửi chưa tiếp nhận; false: chỉ báo cáo đã tiếp nhận / "
            "true: submitted reports count too; false: accepted reports only"
        )
    )
    figures = FiguresSerializer()
    indicators = IndicatorTotalSerializer(many=True)


class CycleFilterSerializer(serializers.Serializer):
    """Query parameters of the cycle list."""

    plan = serializers.SlugField(
        required=False,
        max_length=64,
        help_text=_("Mã kế hoạch / plan code"),
        error_messages={"invalid": _("Mã kế hoạch chỉ gồm chữ, số, dấu gạch.")},
    )
    year = serializers.IntegerField(
        required=False,
        min_value=1900,
        max_value=9999,
        help_text=_("Năm / year"),
        error_messages={
            "invalid": _("Năm phải là một số nguyên, ví dụ 2026."),
            "min_value": _("Năm không hợp lệ."),
            "max_value": _("Năm không hợp lệ."),
            "max_string_length": _("Năm không hợp lệ."),
        },
    )


class RollupQuerySerializer(serializers.Serializer):
    include_submitted = serializers.BooleanField(
        default=False,
        help_text=_(
            "Tính cả báo cáo đã gửi chưa tiếp nhận (mặc định: không) / "
            "count submitted reports too (default: false)"
        ),
        error_messages={"invalid": _("Chỉ nhận giá trị true hoặc false.")},
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ParameterErrorSerializer(serializers.Serializer):
    """A 400: each parameter refused, with the reasons (``{"cursor": ["…"]}``)."""

    limit = serializers.ListField(child=serializers.CharField(), required=False)
    offset = serializers.ListField(child=serializers.CharField(), required=False)
    cursor = serializers.ListField(child=serializers.CharField(), required=False)


class HistoryRowSerializer(serializers.Serializer):
    """One report of an organisation's line: its own, or one of a predecessor's."""

    year = serializers.IntegerField(source="cycle.year", help_text=_("Năm / year"))
    plan = serializers.CharField(source="cycle.plan.code", help_text=_("Mã kế hoạch / plan"))
    organisation = serializers.CharField(
        source="organisation.code",
        help_text=_("Mã đơn vị đã viết báo cáo / code of the organisation that wrote it"),
    )
    organisation_name = serializers.SerializerMethodField(
        help_text=_(
            "Tên đơn vị khi viết báo cáo (cuối kỳ) / its name when it wrote the report "
            "(at the end of the period)"
        )
    )
    predecessor = serializers.SerializerMethodField(
        help_text=_("true nếu báo cáo do tổ chức tiền thân viết / true when a predecessor wrote it")
    )
    reports_to = serializers.CharField(
        source="reports_to.code",
        allow_null=True,
        default=None,
        help_text=_("Mã cấp ủy nhận báo cáo / code of the committee it was sent to"),
    )
    report = serializers.IntegerField(source="pk", help_text=_("Mã báo cáo / report id"))
    status = serializers.ChoiceField(
        choices=ReportStatus.choices, help_text=_("Trạng thái / status")
    )
    first_submitted_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Gửi lần đầu lúc / first submitted at")
    )
    on_time = serializers.BooleanField(
        allow_null=True, help_text=_("Đúng hạn; null nếu chưa gửi / on time; null if never")
    )

    def get_organisation_name(self, report) -> str:
        return report.organisation_names[0]

    def get_predecessor(self, report) -> bool:
        return report.organisation_id != self.context["organisation"].pk
