from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.forms import BoundField
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from reports.documents.party import clean_number, number_suffix
from reports.documents.safe_text import CONTROL_CHARACTERS, CONTROL_CHARACTERS_IN_LINES
from reports.figures.content import (
    LEADERSHIP_LABEL,
    FigureError,
    ReportContent,
    SectionContent,
    derived_note,
    field_labels,
    figure_key,
    fingerprint,
    format_figure,
    is_derived,
    level_label,
    needs_reason,
    parse_figure,
    reason_key,
    section_key,
)
from reports.models import (
    DEFAULT_REMINDER_OFFSETS,
    SECTION_PARTS,
    AnnualReport,
    AttachmentKind,
    IndicatorValue,
    Level,
    ReportingCycle,
    ReportStatus,
    TaskSection,
)
from tasks.models import Indicator, ValueType

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)

PART_LABELS = {
    "results": _("Kết quả đạt được"),
    "limitations": _("Hạn chế"),
    "causes": _("Nguyên nhân"),
    "next_steps": _("Phương hướng, giải pháp thời gian tới"),
}


class NoControlCharacters:
    """Refuses control characters, which nobody types but pasting can bring: they make
    the workbooks and Word files that show the text fail. A multi-line field keeps the
    tabs and line breaks its text box sends."""

    message = _(
        "Nội dung có ký tự điều khiển không hiển thị được (thường do sao chép từ tài liệu"
        " khác). Đề nghị xóa ký tự đó rồi nhập lại."
    )
    code = "control_character"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        pattern = CONTROL_CHARACTERS_IN_LINES if self.multiline else CONTROL_CHARACTERS
        if pattern.search(str(value)):
            raise forms.ValidationError(self.message, code=self.code)


class TextForm(forms.Form):
    """A form whose every text field, declared or added in ``__init__``, refuses control
    characters; a field shown as a text box (``Textarea``) counts as multi-line."""

    def full_clean(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not any(
                isinstance(v, NoControlCharacters) for v in field.validators
            ):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(NoControlCharacters(multiline=multiline))
        super().full_clean()


class CycleForm(TextForm):
    year = forms.IntegerField(label=_("Năm báo cáo"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Tên kỳ báo cáo (không bắt buộc)"), required=False)
    period_start = forms.DateField(label=_("Kỳ báo cáo từ ngày"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Đến ngày"), widget=DATE_WIDGET)
    opens_on = forms.DateField(label=_("Ngày mở nhận báo cáo"), widget=DATE_WIDGET)
    due_on = forms.DateField(label=_("Hạn nộp báo cáo"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_("Ngày đóng kỳ báo cáo"), widget=DATE_WIDGET)
    reminder_offsets = forms.CharField(
        label=_("Các mốc nhắc hạn"),
        help_text=_(
            "Số ngày so với hạn nộp, cách nhau bằng dấu phẩy: số âm là trước hạn, số dương là"
            " sau hạn. Ví dụ: -14, -7, -3, -1, 1, 7, 14"
        ),
        initial=", ".join(str(n) for n in DEFAULT_REMINDER_OFFSETS),
    )

    def clean_reminder_offsets(self) -> list[int]:
        raw = self.cleaned_data["reminder_offsets"]
        offsets = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                number = int(part)
            except ValueError:
                raise forms.ValidationError(
                    _("“%(part)s” không phải là số ngày hợp lệ.") % {"part": part}
                ) from None
            if not -365 <= number <= 365 or number == 0:
                raise forms.ValidationError(_("Mỗi mốc phải khác 0 và trong khoảng ±365 ngày."))
            offsets.append(number)
        return sorted(set(offsets))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Ngày kết thúc kỳ phải sau ngày bắt đầu."))
        opens, due, closes = data.get("opens_on"), data.get("due_on"), data.get("closes_on")
        if opens and due and due < opens:
            self.add_error("due_on", _("Hạn nộp phải sau ngày mở nhận báo cáo."))
        if due and closes and closes < due:
            self.add_error("closes_on", _("Ngày đóng kỳ phải sau hạn nộp."))
        return data


class FigureField(forms.CharField):
    """A figure typed the Vietnamese way (1.234 or 12,5), checked against its indicator."""

    def __init__(self, indicator: Indicator, **kwargs):
        self.indicator = indicator
        attrs = {
            "inputmode": "numeric" if indicator.value_type == ValueType.INTEGER else "decimal",
            "autocomplete": "off",
            "class": "text-end",
        }
        super().__init__(required=False, widget=forms.TextInput(attrs=attrs), **kwargs)

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return format_figure(value)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_figure(value, self.indicator)
        except FigureError as exc:
            raise forms.ValidationError(str(exc)) from exc


@dataclass
class FigureLayout:
    """A figure of the form; one filled from the level below carries where it came from
    and the field for the reason it was changed."""

    indicator: Indicator
    field: BoundField
    value: IndicatorValue
    reason: BoundField | None = None
    note: str = ""
    derived: str = ""  # the derived figure as the form shows it
    unexplained: bool = False  # differs from the derived figure and says nothing why


@dataclass
class SectionLayout:
    section: TaskSection
    parts: list[BoundField]
    level: BoundField
    figures: list[FigureLayout]
    comment: str = ""


@dataclass
class ConflictRow:
    """A field two people changed differently: both values, side by side, and the choice."""

    key: str
    label: str
    field: BoundField
    mine: str  # as typed in the form, carried back when "keep mine" is chosen
    mine_shown: str
    theirs_shown: str
    choice: str


CONFLICT_CHOICES = ("mine", "theirs", "edit")


def _form_text(content: ReportContent, key: str) -> str:
    """A field of the content as the form shows it."""
    if key.startswith("i-"):
        return format_figure(content.figures.get(key.removeprefix("i-")))
    if key.startswith("r-"):
        return content.reasons.get(key.removeprefix("r-"), "")
    if key.startswith("s") and "-" in key:
        number, part = key.removeprefix("s").split("-", 1)
        return getattr(content.sections.get(int(number), SectionContent()), part)
    return getattr(content, key)


def _content_keys(report: AnnualReport) -> list[str]:
    """The names of the report form's content fields (uses prefetched rows)."""
    keys = [
        section_key(s.task.number, part)
        for s in report.sections.all()
        for part in (*SECTION_PARTS, "level")
    ]
    keys += [figure_key(v.indicator.code) for v in report.values.all()]
    keys += [reason_key(v.indicator.code) for v in report.values.all() if is_derived(v)]
    first = ["leadership"] if report.asks_leadership else []
    return [
        *first, *keys, "overall_assessment", "proposals", "number", "signer_name",
        "signer_position",
    ]  # fmt: skip


def _shown(key: str, text: str) -> str:
    return level_label(text) if key.endswith("-level") else text


class ReportForm(TextForm):
    """The report form, generated from the sections and indicators the report has."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    # What the form was opened with (a digest per field), so that a save from an older
    # version can be merged with the one saved meanwhile; see figures.content.merge.
    base = forms.CharField(required=False, widget=forms.HiddenInput)
    # Fields shown side by side after a conflict, each answered by choice-<field>.
    conflicts = forms.CharField(required=False, widget=forms.HiddenInput)
    leadership = forms.CharField(
        label=LEADERSHIP_LABEL,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Việc chỉ đạo triển khai quán triệt, xây dựng kế hoạch thực hiện của đảng bộ"
            " và phổ biến đến các chi bộ (mục III.1 của Kế hoạch)."
        ),
    )
    overall_assessment = forms.CharField(
        label=_("Đánh giá chung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    proposals = forms.CharField(
        label=_("Kiến nghị, đề xuất với Tỉnh ủy"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    number = forms.CharField(label=_("Số văn bản"), required=False, max_length=30)
    signer_name = forms.CharField(label=_("Họ tên người ký"), required=False, max_length=150)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), required=False, max_length=150)

    def __init__(self, *args, report: AnnualReport, **kwargs):
        self.report = report
        self.sections = list(report.sections.all())
        self.values = list(report.values.all())
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", self._initial())
        super().__init__(*args, **kwargs)
        if not report.asks_leadership:
            del self.fields["leadership"]
        self.conflict_keys: list[str] = []
        for section in self.sections:
            number = section.task.number
            for part in SECTION_PARTS:
                self.fields[section_key(number, part)] = forms.CharField(
                    label=PART_LABELS[part],
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            self.fields[section_key(number, "level")] = forms.ChoiceField(
                label=_("Tự đánh giá mức độ thực hiện"),
                required=False,
                choices=[("", _("— Chọn mức —")), *Level.choices],
            )
        for value in self.values:
            indicator = value.indicator
            label = indicator.name + (f" ({indicator.unit})" if indicator.unit else "")
            self.fields[figure_key(indicator.code)] = FigureField(
                indicator, label=label, help_text=indicator.help
            )
            if is_derived(value):
                self.fields[reason_key(indicator.code)] = forms.CharField(
                    label=_("Lý do điều chỉnh"),
                    required=False,
                    max_length=IndicatorValue._meta.get_field("reason").max_length,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text=_("Bắt buộc khi số liệu khác với số tổng hợp từ cấp dưới."),
                )
        self.suffix = number_suffix(report.organisation)
        self.fields["number"].help_text = _(
            "Chỉ nhập số, ví dụ 12; báo cáo sẽ ghi “Số 12-BC/%(suffix)s”."
        ) % {"suffix": self.suffix}
        if self.is_bound:
            self._apply_choices()

    @classmethod
    def showing(
        cls,
        report: AnnualReport,
        content: ReportContent,
        *,
        conflicts: list[str] | None = None,
        mine: ReportContent | None = None,
    ) -> ReportForm:
        """A filled-in form of `content`, based on the report as it is saved now; for each
        field in `conflicts`, `mine` is what the user had typed there."""
        data = {key: _form_text(content, key) for key in _content_keys(report)}
        data |= {
            "version": str(report.version),
            "base": json.dumps(fingerprint(ReportContent.of(report))),
            "conflicts": ",".join(conflicts or []),
        }
        for key in conflicts or []:
            data[f"mine-{key}"] = _form_text(mine or content, key)
        form = cls(data, report=report)
        form.is_valid()
        return form

    def _apply_choices(self) -> None:
        """Put the answer to each conflict into its field before the fields are read."""
        raw = self.data.get("conflicts", "") or ""
        keys = set(_content_keys(self.report))
        self.conflict_keys = [k for k in raw.split(",") if k in keys]
        if not self.conflict_keys:
            return
        # A mutable copy: the bound QueryDict is immutable.
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        saved = ReportContent.of(self.report)
        for key in self.conflict_keys:
            choice = data.get(f"choice-{key}")
            if choice == "mine":
                data[key] = data.get(f"mine-{key}", "")
            elif choice == "theirs":
                data[key] = _form_text(saved, key)
        self.data = data

    def clean(self):
        data = super().clean()
        for key in self.conflict_keys:
            if self.data.get(f"choice-{key}") not in CONFLICT_CHOICES:
                self.add_error(
                    key,
                    _(
                        "Hãy chọn giữ nội dung nào cho mục này: của mình, của người kia,"
                        " hoặc sửa lại."
                    ),
                )
        return data

    def clean_number(self) -> str:
        return clean_number(self.cleaned_data["number"], suffix=self.suffix)

    def clean_base(self) -> dict[str, str] | None:
        try:
            base = json.loads(self.cleaned_data["base"] or "null")
        except ValueError:
            return None
        if not isinstance(base, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in base.items()
        ):
            return None  # then every difference is shown: the safe side
        return base

    def conflict_rows(self) -> list[ConflictRow]:
        if not self.conflict_keys:
            return []
        labels = field_labels(self.report)
        saved = ReportContent.of(self.report)
        rows = []
        for key in self.conflict_keys:
            mine = self.data.get(f"mine-{key}", "")
            rows.append(
                ConflictRow(
                    key=key,
                    label=labels.get(key, key),
                    field=self[key],
                    mine=mine,
                    mine_shown=_shown(key, mine),
                    theirs_shown=_shown(key, _form_text(saved, key)),
                    choice=self.data.get(f"choice-{key}", ""),
                )
            )
        return rows

    def _initial(self) -> dict:
        initial = {
            "version": self.report.version,
            "base": json.dumps(fingerprint(ReportContent.of(self.report))),
            "leadership": self.report.leadership,
            "overall_assessment": self.report.overall_assessment,
            "proposals": self.report.proposals,
            "number": self.report.number,
            "signer_name": self.report.signer_name,
            "signer_position": self.report.signer_position,
        }
        for section in self.sections:
            for part in (*SECTION_PARTS, "level"):
                initial[section_key(section.task.number, part)] = getattr(section, part)
        for value in self.values:
            initial[figure_key(value.indicator.code)] = value.value
            if is_derived(value):
                initial[reason_key(value.indicator.code)] = value.reason
        return initial

    def content(self) -> ReportContent:
        data = self.cleaned_data
        return ReportContent(
            leadership=data.get("leadership", "").strip(),
            overall_assessment=data["overall_assessment"].strip(),
            proposals=data["proposals"].strip(),
            number=data["number"],
            signer_name=data["signer_name"].strip(),
            signer_position=data["signer_position"].strip(),
            sections={
                s.task.number: SectionContent(
                    **{
                        p: data[section_key(s.task.number, p)].strip()
                        for p in (*SECTION_PARTS, "level")
                    }
                )
                for s in self.sections
            },
            figures={v.indicator.code: data[figure_key(v.indicator.code)] for v in self.values},
            reasons={
                v.indicator.code: data[reason_key(v.indicator.code)].strip()
                for v in self.values
                if is_derived(v)
            },
        )

    def add_submission_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)

    def layout(self, section_comments: dict | None = None) -> list[SectionLayout]:
        comments = section_comments or {}
        by_task: dict[int, list[FigureLayout]] = {}
        for value in self.values:
            by_task.setdefault(value.indicator.task_id, []).append(self._figure_layout(value))
        return [
            SectionLayout(
                section=s,
                parts=[self[section_key(s.task.number, p)] for p in SECTION_PARTS],
                level=self[section_key(s.task.number, "level")],
                figures=by_task.get(s.task_id, []),
                comment=comments.get(str(s.task.number), ""),
            )
            for s in self.sections
        ]

    def _figure_layout(self, value: IndicatorValue) -> FigureLayout:
        code = value.indicator.code
        row = FigureLayout(value.indicator, self[figure_key(code)], value)
        if not is_derived(value):
            return row
        row.reason = self[reason_key(code)]
        row.note = derived_note(value)
        row.derived = format_figure(value.derived)
        # What the form holds now (typed, when posted back), else what is saved.
        figure, reason = value.value, value.reason
        if self.is_bound and hasattr(self, "cleaned_data"):
            figure = self.cleaned_data.get(figure_key(code), figure)
            reason = self.cleaned_data.get(reason_key(code), reason)
        row.unexplained = needs_reason(figure, value.derived, reason or "")
        return row


class ReturnForm(TextForm):
    comment = forms.CharField(
        label=_("Ý kiến chung khi trả lại (bắt buộc)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng ghi ý kiến khi trả lại báo cáo.")},
    )

    def __init__(self, *args, report: AnnualReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_numbers = [s.task.number for s in report.sections.all()]
        for section in report.sections.all():
            self.fields[f"section-{section.task.number}"] = forms.CharField(
                label=_("Ý kiến về nhiệm vụ %(n)s") % {"n": section.task.number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def section_comments(self) -> dict[int, str]:
        return {n: self.cleaned_data.get(f"section-{n}", "") for n in self.task_numbers}


class ReopenForm(TextForm):
    reason = forms.CharField(
        label=_("Lý do mở lại (bắt buộc)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Vui lòng ghi lý do mở lại báo cáo.")},
    )


class AcceptForm(TextForm):
    note = forms.CharField(
        label=_("Ý kiến (không bắt buộc)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tệp"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("Chọn tệp"), error_messages={"required": _("Vui lòng chọn tệp.")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Bản scan có chữ ký: PDF. Tài liệu kèm theo: PDF, DOCX, XLSX, JPG, PNG."
            " Tối đa %(limit)s."
        ) % {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}


class SubPlanForm(TextForm):
    number = forms.CharField(
        label=_("Số hiệu kế hoạch"),
        max_length=64,
        help_text=_("Ví dụ: 45-KH/HU"),
        error_messages={"required": _("Vui lòng nhập số hiệu kế hoạch.")},
    )
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DATE_WIDGET)
    file = forms.FileField(
        label=_("Tệp kế hoạch"), error_messages={"required": _("Vui lòng chọn tệp.")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF hoặc DOCX, tối đa %(limit)s.") % {
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }


ALL_CYCLES = "tat-ca"


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *ReportStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    lateness = forms.ChoiceField(
        label=_("Thời hạn"),
        required=False,
        choices=[("", _("Tất cả")), ("on_time", _("Đúng hạn")), ("late", _("Quá hạn"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    # The year (cycle): the current one unless another, or every year, is chosen.
    cycle = forms.ChoiceField(
        label=_("Năm (kỳ báo cáo)"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    unit = forms.CharField(
        label=_("Đơn vị"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("Tên hoặc mã")}
        ),
    )

    def __init__(self, *args, cycles: Iterable[ReportingCycle] = (), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cycle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *((str(c.pk), str(c)) for c in cycles),
            (ALL_CYCLES, _("Tất cả các năm")),
        ]

    def chosen_cycle(self, default: ReportingCycle | None) -> int | None:
        """The cycle to show: the one chosen, none for every year, else the default."""
        value = getattr(self, "cleaned_data", {}).get("cycle", "")
        if value == ALL_CYCLES:
            return None
        if value:
            return int(value)
        return default.pk if default is not None else None


class ContributionForm(TextForm):
    """A contributor's words: one text per task it contributes on, and a general one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    general = forms.CharField(
        label=_("Ý kiến chung về việc thực hiện Kế hoạch"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, tasks, texts: dict | None = None, version: int = 0, **kwargs):
        self.tasks = list(tasks)
        texts = texts or {}
        if not args and "data" not in kwargs:
            initial = {"version": version, "general": texts.get(None, "")}
            initial |= {f"t{task.number}": texts.get(task.pk, "") for task in self.tasks}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for task in self.tasks:
            self.fields[f"t{task.number}"] = forms.CharField(
                label=_("Nhiệm vụ %(n)s: %(title)s") % {"n": task.number, "title": task.title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        # The task fields first, in the plan's order, then the general one.
        self.order_fields([*(f"t{task.number}" for task in self.tasks), "general"])

    def texts(self) -> dict[int | None, str]:
        data = self.cleaned_data
        return {None: data["general"], **{t.pk: data[f"t{t.number}"] for t in self.tasks}}
