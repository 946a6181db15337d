"""A report's content as plain data: reading figures people type, checking a report is
complete before submission, freezing snapshots, comparing two of them and merging two
people's edits of one draft."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import SECTION_PARTS, AnnualReport, Level, TaskSection
from tasks.models import Indicator, ValidationRule, ValueType

MAX_FIGURE = Decimal("999999999999")  # twelve digits: more than any real count
# 1.234.567 or 1234567, optionally ,5 — the way Vietnamese officials write numbers.
_FIGURE = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")


class FigureError(ValueError):
    pass


def parse_figure(text: str | None, indicator: Indicator) -> Decimal | None:
    """A typed figure as a Decimal, or None when left empty. Raises FigureError with a
    Vietnamese message for anything else: letters, exponents, negatives, fractions of a
    count, percentages over 100."""
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if raw == "":
        return None
    if raw.startswith("-"):
        raise FigureError(_("Số liệu không được âm."))
    # A plain decimal point (12.5) is read as a decimal only when it cannot be a
    # thousands separator, so 1.234 stays one thousand two hundred thirty-four.
    if re.fullmatch(r"\d+\.\d{1,2}", raw) and indicator.value_type != ValueType.INTEGER:
        raw = raw.replace(".", ",")
    if not _FIGURE.match(raw):
        raise FigureError(
            _("“%(text)s” không phải là số hợp lệ. Chỉ nhập chữ số, ví dụ 1.234 hoặc 12,5.")
            % {"text": (text or "").strip()[:30]}
        )
    try:
        value = Decimal(raw.replace(".", "").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise FigureError(_("Số liệu không hợp lệ.")) from exc
    if value > MAX_FIGURE:
        raise FigureError(_("Số liệu quá lớn."))
    if indicator.value_type == ValueType.INTEGER and value != value.to_integral_value():
        raise FigureError(_("Chỉ tiêu này là số đếm, phải là số nguyên."))
    if indicator.value_type == ValueType.PERCENT and value > 100:
        raise FigureError(_("Tỷ lệ phần trăm phải từ 0 đến 100."))
    exponent = value.as_tuple().exponent  # an int: the pattern excludes NaN and Infinity
    if isinstance(exponent, int) and exponent < -2:
        raise FigureError(_("Chỉ nhập tối đa hai chữ số thập phân."))
    return value


def format_figure(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value == value.to_integral_value():
        return number_format(int(value), force_grouping=True)
    return number_format(value.normalize(), force_grouping=True)


def derived_note(value: Any) -> str:
    """What an IndicatorValue filled from the level below says about where it came from:
    "tổng hợp từ 12/14 báo cáo đã tiếp nhận" ("" for a figure that was not, or while no
    report of the level below that gives it has been accepted)."""
    if not value.derived_of or value.derived is None:
        return ""
    return _("tổng hợp từ %(n)s/%(of)s báo cáo đã tiếp nhận") % {
        "n": format_figure(Decimal(value.derived_from)),
        "of": format_figure(Decimal(value.derived_of)),
    }


def level_label(value: str) -> str:
    return str(Level(value).label) if value in Level.values else ""


def section_key(task_number: int, part: str) -> str:
    return f"s{task_number}-{part}"


def figure_key(code: str) -> str:
    return f"i-{code}"


def reason_key(code: str) -> str:
    """The form field holding why a figure differs from what its children added up to."""
    return f"r-{code}"


@dataclass
class SectionContent:
    results: str = ""
    limitations: str = ""
    causes: str = ""
    next_steps: str = ""
    level: str = ""


# Duty III.1's first ask, in its words: "chỉ đạo triển khai quán triệt, ... xây dựng kế
# hoạch thực hiện ..., ... phổ biến đến các chi bộ".
LEADERSHIP_LABEL = gettext_lazy(
    "I. Công tác lãnh đạo, chỉ đạo triển khai, quán triệt và xây dựng kế hoạch thực hiện"
)


@dataclass
class ReportContent:
    """Everything a reporter types, keyed by task number and indicator code."""

    overall_assessment: str = ""
    # "I. Công tác lãnh đạo, chỉ đạo triển khai ...": a committee's only (LEADERSHIP_KINDS).
    leadership: str = ""
    proposals: str = ""
    number: str = ""  # the report's document number, digits ("12" of "Số 12-BC/HU")
    signer_name: str = ""
    signer_position: str = ""
    sections: dict[int, SectionContent] = field(default_factory=dict)
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    # Why a figure differs from the one summed from the reports addressed to this
    # organisation, by indicator code; only figures that were filled from them have one.
    reasons: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, report: AnnualReport) -> ReportContent:
        """Read from the database (uses prefetched sections and values when present)."""
        return cls(
            overall_assessment=report.overall_assessment,
            leadership=report.leadership,
            proposals=report.proposals,
            number=report.number,
            signer_name=report.signer_name,
            signer_position=report.signer_position,
            sections={
                s.task.number: SectionContent(
                    **{p: getattr(s, p) for p in SECTION_PARTS}, level=s.level
                )
                for s in report.sections.all()
            },
            figures={v.indicator.code: v.value for v in report.values.all()},
            reasons={v.indicator.code: v.reason for v in report.values.all() if is_derived(v)},
        )

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "overall_assessment": self.overall_assessment,
            "leadership": self.leadership,
            "proposals": self.proposals,
            "number": self.number,
            "signer_name": self.signer_name,
            "signer_position": self.signer_position,
            "sections": {
                str(number): vars(section).copy() for number, section in self.sections.items()
            },
            "figures": {
                code: (None if value is None else str(value))
                for code, value in self.figures.items()
            },
            "reasons": dict(self.reasons),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> ReportContent:
        return cls(
            overall_assessment=data.get("overall_assessment", ""),
            leadership=data.get("leadership", ""),
            proposals=data.get("proposals", ""),
            number=data.get("number", ""),
            signer_name=data.get("signer_name", ""),
            signer_position=data.get("signer_position", ""),
            sections={
                int(number): SectionContent(**values)
                for number, values in data.get("sections", {}).items()
            },
            figures={
                code: (None if value is None else Decimal(value))
                for code, value in data.get("figures", {}).items()
            },
            # Snapshots taken before figures were summed from the level below have none.
            reasons=dict(data.get("reasons") or {}),
        )


def is_derived(value: Any) -> bool:
    """Whether an IndicatorValue was filled from the reports addressed to its report's
    organisation: some were expected when it was (``derived_of``)."""
    return bool(value.derived_of)


def needs_reason(figure: Decimal | None, derived: Decimal | None, reason: str) -> bool:
    """A figure that differs from the one its children added up to must say why (nothing
    to differ from while none of them has been accepted)."""
    return derived is not None and figure != derived and not reason.strip()


def submission_errors(
    content: ReportContent,
    sections: list[TaskSection],
    indicators: list[Indicator],
    rules: list[ValidationRule],
    derived: dict[str, Decimal | None] | None = None,
    *,
    leadership: bool = False,
) -> dict[str, list[str]]:
    """What must be fixed before the report can be submitted, keyed by form field.
    ``derived`` holds, by code, the figures summed from the reports addressed to this
    organisation: a figure that differs needs a reason, which the reviewer above reads."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        messages = errors.setdefault(key, [])
        if message not in messages:  # two rules may need the same whole
            messages.append(message)

    if leadership and not content.leadership.strip():
        add("leadership", _("Vui lòng nêu công tác lãnh đạo, chỉ đạo triển khai thực hiện."))
    if not content.overall_assessment.strip():
        add("overall_assessment", _("Vui lòng nhập đánh giá chung."))
    if not content.signer_name.strip():
        add("signer_name", _("Vui lòng nhập họ tên người ký báo cáo."))
    if not content.signer_position.strip():
        add("signer_position", _("Vui lòng nhập chức vụ người ký."))
    for section in sections:
        number = section.task.number
        text = content.sections.get(number, SectionContent())
        if not text.results.strip():
            add(section_key(number, "results"), _("Vui lòng nêu kết quả đạt được."))
        if not text.level:
            add(section_key(number, "level"), _("Vui lòng chọn mức tự đánh giá."))
    for indicator in indicators:
        if indicator.required and content.figures.get(indicator.code) is None:
            add(figure_key(indicator.code), _("Vui lòng nhập số liệu này (bắt buộc)."))
    names = {i.code: i.name for i in indicators}
    for rule in _reported_rules(rules, indicators):
        for code in missing_wholes(rule, content.figures):
            add(figure_key(code), whole_message(names[code], [names[c] for c in rule.parts]))
    for key, messages in rule_breaches(content, indicators, rules).items():
        for message in messages:
            add(key, message)
    for code, value in (derived or {}).items():
        if needs_reason(content.figures.get(code), value, content.reasons.get(code, "")):
            add(reason_key(code), reason_message(value))
    return errors


def _reported_rules(
    rules: list[ValidationRule], indicators: list[Indicator]
) -> list[ValidationRule]:
    reported = {i.code for i in indicators}
    return [rule for rule in rules if rule.codes() <= reported]


def rule_breaches(
    content: ReportContent, indicators: list[Indicator], rules: list[ValidationRule]
) -> dict[str, list[str]]:
    """The rules the figures break (a part larger than its whole), keyed by the field of
    the rule's first part: a draft may break them, a submission may not."""
    breaches: dict[str, list[str]] = {}
    for rule in _reported_rules(rules, indicators):
        if rule.holds(content.figures) is False:
            messages = breaches.setdefault(figure_key(rule.parts[0]), [])
            if rule.message not in messages:
                messages.append(rule.message)
    return breaches


def missing_wholes(rule: ValidationRule, figures: dict[str, Any]) -> list[str]:
    """The codes of a rule's whole left blank while one of its parts is given: a part
    means nothing without its whole (13 organisations disciplined out of a blank "phải xem
    xét" summed to 13 out of 12 at the province), so the whole becomes required."""
    if not any(figures.get(code) is not None for code in rule.parts):
        return []
    return [code for code in rule.whole if figures.get(code) is None]


def whole_message(whole: str, parts: list[str]) -> str:
    return _("Phải nhập “%(whole)s” khi đã nhập “%(parts)s”.") % {
        "whole": whole,
        "parts": "”, “".join(parts),
    }


def reason_message(derived: Decimal | None) -> str:
    return _(
        "Số liệu khác với số tổng hợp từ báo cáo cấp dưới (%(derived)s):"
        " vui lòng ghi lý do điều chỉnh."
    ) % {"derived": format_figure(derived) or "—"}


@dataclass
class Change:
    label: str
    before: str
    after: str


def compare(before: ReportContent, after: ReportContent, report: AnnualReport) -> list[Change]:
    """What changed between two snapshots, in the order of the form."""
    changes: list[Change] = []
    labels = {
        "results": _("Kết quả đạt được"),
        "limitations": _("Hạn chế"),
        "causes": _("Nguyên nhân"),
        "next_steps": _("Phương hướng, giải pháp"),
        "level": _("Tự đánh giá"),
    }
    for name, label in (
        ("leadership", str(LEADERSHIP_LABEL)),
        ("overall_assessment", _("Đánh giá chung")),
        ("proposals", _("Kiến nghị, đề xuất")),
        ("number", _("Số văn bản")),
        ("signer_name", _("Người ký")),
        ("signer_position", _("Chức vụ người ký")),
    ):
        if getattr(before, name) != getattr(after, name):
            changes.append(Change(label, getattr(before, name), getattr(after, name)))
    for section in report.sections.all():
        number = section.task.number
        old = before.sections.get(number, SectionContent())
        new = after.sections.get(number, SectionContent())
        for part, label in labels.items():
            was, now = getattr(old, part), getattr(new, part)
            if was != now:
                if part == "level":
                    was, now = level_label(was), level_label(now)
                changes.append(
                    Change(
                        _("Nhiệm vụ %(n)s — %(label)s") % {"n": number, "label": label}, was, now
                    )
                )
    for value in report.values.all():
        code = value.indicator.code
        if before.figures.get(code) != after.figures.get(code):
            changes.append(
                Change(
                    value.indicator.name,
                    format_figure(before.figures.get(code)),
                    format_figure(after.figures.get(code)),
                )
            )
        if before.reasons.get(code, "") != after.reasons.get(code, ""):
            changes.append(
                Change(
                    _("%(name)s — Lý do điều chỉnh") % {"name": value.indicator.name},
                    before.reasons.get(code, ""),
                    after.reasons.get(code, ""),
                )
            )
    return changes


# Merging two people's edits --------------------------------------------------------------

TOP_FIELDS = (
    "leadership",
    "overall_assessment",
    "proposals",
    "number",
    "signer_name",
    "signer_position",
)


def field_values(content: ReportContent) -> dict[str, str]:
    """Every field of the content as comparable text, keyed like the report form's fields
    and in the form's order (sections, their figures by code, then the closing fields)."""
    values: dict[str, str] = {}
    for number, section in sorted(content.sections.items()):
        for part in (*SECTION_PARTS, "level"):
            values[section_key(number, part)] = getattr(section, part).strip()
    for code, value in content.figures.items():
        # normalize() makes 125 and 125.00 (as the database returns it) the same text.
        values[figure_key(code)] = "" if value is None else str(value.normalize())
    for code, reason in content.reasons.items():
        values[reason_key(code)] = reason.strip()
    for name in TOP_FIELDS:
        values[name] = getattr(content, name).strip()
    return values


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def fingerprint(content: ReportContent) -> dict[str, str]:
    """A short digest of every field: what a form was opened with, carried by the form so
    that a later save can tell which fields its user changed without the server keeping a
    copy of every version."""
    return {key: _digest(text) for key, text in field_values(content).items()}


def _copy_field(target: ReportContent, source: ReportContent, key: str) -> None:
    if key in TOP_FIELDS:
        setattr(target, key, getattr(source, key))
    elif key.startswith("i-"):
        code = key.removeprefix("i-")
        target.figures[code] = source.figures.get(code)
    elif key.startswith("r-"):
        code = key.removeprefix("r-")
        target.reasons[code] = source.reasons.get(code, "")
    else:
        number, part = key.removeprefix("s").split("-", 1)
        section = target.sections.setdefault(int(number), SectionContent())
        setattr(section, part, getattr(source.sections[int(number)], part))


@dataclass
class Merge:
    content: ReportContent
    theirs: list[str]  # fields taken from the saved version: only the other side changed them
    conflicts: list[str]  # fields both sides changed, each differently


def merge(mine: ReportContent, theirs: ReportContent, base: dict[str, str] | None) -> Merge:
    """Three-way merge of a form saved from an older version (`mine`, opened with
    fingerprint `base`) into the version saved meanwhile (`theirs`), field by field: a
    field only one side changed keeps that side's value; a field both changed differently
    is a conflict for the person saving to decide. Without a base nobody can tell who
    changed what, so every field that differs is a conflict."""
    merged = copy.deepcopy(mine)
    mine_values, their_values = field_values(mine), field_values(theirs)
    taken, conflicts = [], []
    for key, their_text in their_values.items():
        my_text = mine_values.get(key)
        if my_text == their_text:
            continue
        if my_text is None:  # a field this form did not have: nothing of mine to keep
            _copy_field(merged, theirs, key)
            continue
        was = (base or {}).get(key)
        if was is not None and _digest(my_text) == was:
            _copy_field(merged, theirs, key)
            taken.append(key)
        elif was is not None and _digest(their_text) == was:
            continue
        else:
            conflicts.append(key)
    return Merge(merged, taken, conflicts)


def field_labels(report: AnnualReport) -> dict[str, str]:
    """What the reporter calls each field of the report's form, for messages."""
    parts = {
        "results": _("Kết quả đạt được"),
        "limitations": _("Hạn chế"),
        "causes": _("Nguyên nhân"),
        "next_steps": _("Phương hướng, giải pháp"),
        "level": _("Tự đánh giá"),
    }
    labels: dict[str, str] = {}
    for section in report.sections.all():
        number = section.task.number
        for part, label in parts.items():
            labels[section_key(number, part)] = _("Nhiệm vụ %(n)s — %(label)s") % {
                "n": number,
                "label": label,
            }
    for value in report.values.all():
        labels[figure_key(value.indicator.code)] = value.indicator.name
        labels[reason_key(value.indicator.code)] = _("%(name)s — Lý do điều chỉnh") % {
            "name": value.indicator.name
        }
    labels |= {
        "leadership": str(LEADERSHIP_LABEL),
        "overall_assessment": _("Đánh giá chung"),
        "proposals": _("Kiến nghị, đề xuất"),
        "number": _("Số văn bản"),
        "signer_name": _("Người ký"),
        "signer_position": _("Chức vụ người ký"),
    }
    return labels
