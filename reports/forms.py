from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from reports.documents.safe_text import CONTROL_CHARACTERS, CONTROL_CHARACTERS_IN_LINES
from reports.models import (
    DEFAULT_REMINDER_OFFSETS,
    AnnualReport,
    AttachmentKind,
    ReportingCycle,
    ReportStatus,
)

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)


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
