"""An annual report laid out as a Party document (Hướng dẫn 36-HD/VPTW): the same
content for the printable page and the Word file.

``report_document`` turns a report loaded with ``selectors.report_with_content`` into
plain data; the print template and ``report_docx_bytes`` only lay that data out, so the
two never disagree. Nothing here knows a particular plan, province or organisation: the
superior body and the place name are read from the organisations' own names.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from organisations.models import Organisation, OrganisationKind
from reports.documents.word import (
    SMALL_SIZE,
    TABLE_SIZE,
    TEXT_WIDTH,
    add_paragraph,
    borderless,
    cell_line,
    empty_cell,
    repeat_header,
    set_widths,
    setup_document,
    xml_safe,
)
from reports.figures.content import LEADERSHIP_LABEL, format_figure
from reports.models import AnnualReport

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# "Tỉnh ủy Trà Vinh", "Huyện ủy Càng Long", "Thành ủy Trà Vinh": a committee named after
# the administrative unit it leads. Both spellings of "ủy" are in use.
_COMMITTEE_NAME = re.compile(r"^(tỉnh|huyện|thị|thành|quận)\s+(?:ủy|uỷ)\s+(\S.*)$", re.IGNORECASE)
_UNIT_OF = {"tỉnh": "tỉnh", "huyện": "huyện", "thị": "thị xã", "thành": "thành phố", "quận": "quận"}
_UNIT_WORDS = ("tỉnh ", "thành phố ", "huyện ", "thị xã ", "quận ")
# Bodies that head a Party organisation of their own (đảng bộ, chi bộ): their superior in
# the header is the đảng bộ above them, not the committee.
_COMMITTEE_KINDS = {
    OrganisationKind.PROVINCIAL_COMMITTEE,
    OrganisationKind.DISTRICT_COMMITTEE,
    OrganisationKind.AFFILIATED_COMMITTEE,
    OrganisationKind.GRASSROOTS,
    OrganisationKind.CELL,
}
# Below the district the place is a commune, which no name here tells.
_NO_PLACE_KINDS = {OrganisationKind.GRASSROOTS, OrganisationKind.CELL}


@dataclass(frozen=True)
class FigureRow:
    name: str
    unit: str
    value: str  # formatted the Vietnamese way, "" when not given


@dataclass(frozen=True)
class Part:
    label: str
    text: str

    @property
    def lines(self) -> list[str]:
        """The text's non-empty lines: each is a paragraph of the document."""
        return text_lines(self.text)


@dataclass
class SectionBlock:
    number: int
    heading: str
    parts: list[Part]
    level: str
    figures: list[FigureRow] = field(default_factory=list)


def text_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass
class ReportDocument:
    superior: str  # in capitals; "" when the organisation has no parent
    organisation: str  # in capitals
    place_date: str
    title: str
    subject: str
    sections: list[SectionBlock]
    overall_label: str
    overall_assessment: str
    proposals_label: str
    proposals: str
    signer_position: str  # in capitals
    signer_name: str
    recipients: list[str]
    # Duty III.1's first ask, before the tasks; None for a report without it.
    leadership: Part | None = None

    @property
    def closing_parts(self) -> list[Part]:
        return [
            Part(self.overall_label, self.overall_assessment),
            Part(self.proposals_label, self.proposals),
        ]


def _committee_parts(name: str) -> tuple[str, str] | None:
    """("huyện", "Càng Long") for "Huyện ủy Càng Long"; None for other names."""
    match = _COMMITTEE_NAME.match(unicodedata.normalize("NFC", (name or "").strip()))
    if match is None:
        return None
    return match.group(1).lower(), match.group(2).strip()


def _party_body_of(committee: Organisation) -> str:
    """The đảng bộ a committee leads: "Tỉnh ủy Trà Vinh" → "Đảng bộ tỉnh Trà Vinh"."""
    parts = _committee_parts(committee.name)
    if parts is None:
        return committee.name
    unit, place = parts
    if place.lower().startswith(_UNIT_WORDS):  # "Thành ủy Thành phố Hồ Chí Minh"
        return _("Đảng bộ %(place)s") % {"place": place}
    return _("Đảng bộ %(unit)s %(place)s") % {"unit": _UNIT_OF[unit], "place": place}


def superior_line(organisation: Organisation) -> str:
    """The first line of the header: the body the organisation belongs to, in capitals."""
    parent = organisation.parent
    if parent is None:
        return ""
    if organisation.kind in _COMMITTEE_KINDS:
        return _party_body_of(parent).upper()
    return parent.name.upper()


def place_of(organisation: Organisation) -> str:
    """The place name of the date line, when the organisation's names tell it cleanly:
    a committee named after its unit, or a body of such a committee. Else ""."""
    for name in (organisation.name, organisation.short_name):
        parts = _committee_parts(name)
        if parts is not None:
            return parts[1]
    parent = organisation.parent
    if parent is not None and organisation.kind not in _NO_PLACE_KINDS:
        parts = _committee_parts(parent.name)
        if parts is not None:
            return parts[1]
    return ""


def document_date(report: AnnualReport) -> dt.date:
    """The date the report bears: its last submission, or today while never submitted."""
    if report.last_submitted_at is not None:
        return timezone.localtime(report.last_submitted_at).date()
    return timezone.localdate()


def place_date_line(place: str, day: dt.date) -> str:
    # Days below 10 and the months January and February take a leading zero (36-HD/VPTW).
    values = {
        "place": place,
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "year": day.year,
    }
    if place:
        return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % values
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % values


def _part_labels() -> list[tuple[str, str]]:
    return [
        ("results", _("Kết quả đạt được")),
        ("limitations", _("Hạn chế")),
        ("causes", _("Nguyên nhân")),
        ("next_steps", _("Phương hướng, giải pháp thời gian tới")),
    ]


def report_document(report: AnnualReport) -> ReportDocument:
    """The report as the parts of a document. Uses only what ``report_with_content``
    prefetched, plus one query for the organisation's parent."""
    organisation = report.organisation
    figures: dict[int, list[FigureRow]] = {}
    for value in report.values.all():
        indicator = value.indicator
        figures.setdefault(indicator.task_id, []).append(
            FigureRow(indicator.name, indicator.unit, format_figure(value.value))
        )
    labels = _part_labels()
    sections = [
        SectionBlock(
            number=section.task.number,
            heading=_("Nhiệm vụ %(number)s: %(title)s")
            % {"number": section.task.number, "title": section.task.title},
            parts=[Part(label, getattr(section, name)) for name, label in labels],
            level=section.get_level_display() if section.level else "",
            figures=figures.get(section.task_id, []),
        )
        for section in report.sections.all()
    ]
    return ReportDocument(
        superior=superior_line(organisation),
        organisation=report.organisation_names[0].upper(),
        place_date=place_date_line(place_of(organisation), document_date(report)),
        title=_("BÁO CÁO"),
        subject=_("kết quả thực hiện Kế hoạch số %(number)s năm %(year)s")
        % {"number": report.cycle.plan.number, "year": report.cycle.year},
        sections=sections,
        overall_label=_("Đánh giá chung"),
        overall_assessment=report.overall_assessment,
        proposals_label=_("Kiến nghị, đề xuất"),
        proposals=report.proposals,
        signer_position=report.signer_position.upper(),
        signer_name=report.signer_name,
        recipients=[_("Thường trực Tỉnh ủy (qua Ban Tổ chức Tỉnh ủy),"), _("Lưu.")],
        leadership=Part(str(LEADERSHIP_LABEL), report.leadership)
        if report.asks_leadership
        else None,
    )


# File name ------------------------------------------------------------------------------


def docx_filenames(report: AnnualReport) -> tuple[str, str]:
    """(ASCII name, full Vietnamese name) of the report's Word file."""
    code = re.sub(r"[^A-Za-z0-9-]+", "-", report.organisation.code).strip("-") or "don-vi"
    ascii_name = f"bao-cao-{report.cycle.year}-{code}.docx"
    organisation = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", report.organisation_names[1])
    full_name = _("Báo cáo năm %(year)s - %(org)s") % {
        "year": report.cycle.year,
        "org": " ".join(organisation.split()),
    }
    return ascii_name, f"{full_name}.docx"


def content_disposition(ascii_name: str, full_name: str) -> str:
    """An attachment header every browser reads: a plain name, then the UTF-8 one."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full_name, safe='')}"


# Word file ------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text_lines(xml_safe(text))


def _header(document, doc: ReportDocument) -> None:
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    set_widths(table, [Cm(7), TEXT_WIDTH - Cm(7)])
    left, right = (empty_cell(cell) for cell in table.rows[0].cells)
    if doc.superior:
        cell_line(left, doc.superior)
    cell_line(left, doc.organisation, bold=True)
    cell_line(left, "*")
    cell_line(right, _("ĐẢNG CỘNG SẢN VIỆT NAM"), bold=True, underline=True, size=Pt(15))
    cell_line(right, doc.place_date, italic=True, space_before=Pt(12))

    add_paragraph(document, indent=False, space_after=Pt(0))
    add_paragraph(
        document, doc.title, bold=True, size=Pt(16), align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False, space_before=Pt(12), space_after=Pt(0),
    )  # fmt: skip
    add_paragraph(
        document, doc.subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
        space_after=Pt(0),
    )  # fmt: skip
    add_paragraph(document, "-----", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _text(document, label: str, text: str) -> None:
    """A labelled text, one paragraph per line; nothing at all when the text is empty."""
    lines = _lines(text)
    if not lines:
        return
    add_paragraph(document, f"{label}:", bold=True, italic=True)
    for line in lines:
        add_paragraph(document, line)


def _figures(document, rows: list[FigureRow]) -> None:
    if not rows:
        return
    add_paragraph(document, _("Số liệu:"), bold=True, italic=True)
    table = document.add_table(rows=1, cols=3)
    table.style = document.styles["Table Grid"]
    widths = [TEXT_WIDTH - Cm(6.5), Cm(3.5), Cm(3)]
    headings = [_("Chỉ tiêu"), _("Đơn vị tính"), _("Số liệu")]
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell_line(empty_cell(cell), heading, bold=True, size=TABLE_SIZE)
    repeat_header(table.rows[0])
    for row in rows:
        name, unit, value = (empty_cell(cell) for cell in table.add_row().cells)
        cell_line(name, row.name, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)
        cell_line(unit, row.unit, size=TABLE_SIZE)
        cell_line(value, row.value, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT)
    set_widths(table, widths)
    add_paragraph(document, indent=False, space_after=Pt(0))


def _signature(document, doc: ReportDocument) -> None:
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    set_widths(table, [TEXT_WIDTH - Cm(8.5), Cm(8.5)])
    left, right = (empty_cell(cell) for cell in table.rows[0].cells)
    left_aligned = WD_ALIGN_PARAGRAPH.LEFT
    cell_line(left, _("Nơi nhận:"), italic=True, underline=True, align=left_aligned)
    for line in doc.recipients:
        cell_line(left, f"- {line}", size=SMALL_SIZE, align=left_aligned)
    if doc.signer_position:
        cell_line(right, doc.signer_position, bold=True)
    cell_line(right, space_after=Pt(72))  # room for the signature and the seal
    if doc.signer_name:
        cell_line(right, doc.signer_name, bold=True)


def report_docx_bytes(report: AnnualReport) -> bytes:
    """The report as a Word file (A4, Times New Roman 14, margins of 36-HD/VPTW).
    ``report`` must come from ``selectors.report_with_content``."""
    with translation.override(settings.LANGUAGE_CODE):
        doc = report_document(report)
        document = Document()
        setup_document(document)
        properties = document.core_properties
        properties.title = xml_safe(f"{doc.title} {doc.subject}")
        properties.author = xml_safe(report.organisation_names[0])
        properties.last_modified_by = properties.author
        properties.comments = ""
        properties.created = properties.modified = timezone.now()

        _header(document, doc)
        if doc.leadership is not None:
            add_paragraph(document, doc.leadership.label, bold=True, space_before=Pt(6))
            for line in _lines(doc.leadership.text):
                add_paragraph(document, line)
        for section in doc.sections:
            add_paragraph(document, section.heading, bold=True, space_before=Pt(6))
            for part in section.parts:
                _text(document, part.label, part.text)
            if section.level:
                paragraph = add_paragraph(document, f"{_('Tự đánh giá')}: ", bold=True, italic=True)
                paragraph.add_run(section.level)
            _figures(document, section.figures)
        for part in doc.closing_parts:
            if _lines(part.text):
                add_paragraph(document, part.label, bold=True, space_before=Pt(6))
                for line in _lines(part.text):
                    add_paragraph(document, line)
        add_paragraph(document, indent=False, space_after=Pt(0))
        _signature(document, doc)

        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
