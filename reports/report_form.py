"""The report form, generated from the sections and indicators a report has: its
figures typed the Vietnamese way, the fields a submission needs marked, and two people's
versions merged field by field."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from django import forms
from django.forms import BoundField
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reports.documents.party import clean_number, number_suffix
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
from reports.forms import TextForm
from reports.models import SECTION_PARTS, AnnualReport, IndicatorValue, Level, TaskSection
from tasks.models import Indicator, ValueType

PART_LABELS = {
    "results": _("Kết quả đạt được"),
    "limitations": _("Hạn chế"),
    "causes": _("Nguyên nhân"),
    "next_steps": _("Phương hướng, giải pháp thời gian tới"),
}


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
    warnings: list[str] = dataclasses.field(default_factory=list)  # rules the saved figures break


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


def _saved_value(content: ReportContent, key: str):
    """A field of the content as its cleaned value (a figure as a Decimal)."""
    if key.startswith("i-"):
        return content.figures.get(key.removeprefix("i-"))
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
        self.required_keys = self._required_keys()
        for key in self.required_keys:
            self._mark_required(self.fields[key])
        if self.is_bound:
            self._apply_choices()

    def _required_keys(self) -> list[str]:
        """The fields a submission needs filled in (submission_errors): a draft may leave
        them empty, so they are not required for Django, only marked."""
        keys = ["leadership"] if "leadership" in self.fields else []
        for section in self.sections:
            keys += [section_key(section.task.number, p) for p in ("results", "level")]
        keys += [figure_key(v.indicator.code) for v in self.values if v.indicator.required]
        return [*keys, "overall_assessment", "signer_name", "signer_position"]

    @staticmethod
    def _mark_required(field: forms.Field) -> None:
        # Seen as a red star, heard as "required" (aria-required), and counted by
        # static/js/report-form.js while the person types (data-required).
        field.widget.attrs.update({"aria-required": "true", "data-required": True})
        field.label = format_html(
            '{}<span class="required-mark" aria-hidden="true"> *</span>', field.label
        )

    def missing_required(self) -> int:
        """How many of the fields a submission needs are empty, as the form stands."""
        empty = 0
        for key in self.required_keys:
            value = self[key].value()
            if value is None or not str(value).strip():
                empty += 1
        return empty

    @classmethod
    def showing(
        cls,
        report: AnnualReport,
        content: ReportContent,
        *,
        conflicts: list[str] | None = None,
        mine: ReportContent | None = None,
        typed: ReportForm | None = None,
    ) -> ReportForm:
        """A filled-in form of `content`, based on the report as it is saved now; for each
        field in `conflicts`, `mine` is what the user had typed there. Each field that
        failed its check in `typed` shows what was typed there, with its error."""
        data = {key: _form_text(content, key) for key in _content_keys(report)}
        if typed is not None:
            data |= {key: typed.data.get(key, "") for key in typed.errors if key in data}
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
        return self._content_of(self.cleaned_data)

    def can_keep_valid_part(self) -> bool:
        """Whether a form with errors may still save its valid fields: not while two
        people's versions wait for a choice, nor when the hidden version is broken."""
        return not self.conflict_keys and "version" in self.cleaned_data

    def valid_part(self) -> ReportContent:
        """What was typed where it passed its checks; a field that failed one (a figure
        typed "12a") keeps what is saved, so saving this loses nothing typed well."""
        saved = ReportContent.of(self.report)
        data = dict(self.cleaned_data)
        for key in _content_keys(self.report):
            if key not in data:
                data[key] = _saved_value(saved, key)
        return self._content_of(data)

    def _content_of(self, data: dict) -> ReportContent:
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

    def layout(
        self, section_comments: dict | None = None, *, warnings: dict | None = None
    ) -> list[SectionLayout]:
        comments = section_comments or {}
        by_task: dict[int, list[FigureLayout]] = {}
        for value in self.values:
            row = self._figure_layout(value)
            row.warnings = (warnings or {}).get(figure_key(value.indicator.code), [])
            by_task.setdefault(value.indicator.task_id, []).append(row)
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
