"""An annual report laid out as a Party document (the rules of party.py): the same
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
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from reports.documents.party import (
    Rules,
    Signer,
    addressees,
    committee_signer,
    issuer_on,
    place_date_line,
    report_subject,
    rules_for,
)
from reports.documents.word import (
    TABLE_SIZE,
    TEXT_WIDTH,
    add_paragraph,
    apply_rules,
    cell_line,
    empty_cell,
    party_header,
    recipients_and_signature,
    repeat_header,
    set_widths,
    setup_document,
    xml_safe,
)
from reports.figures.content import LEADERSHIP_LABEL, format_figure
from reports.models import AnnualReport

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
    rules: Rules
    superior: str  # in capitals; "" when the organisation has no parent
    organisation_lines: list[str]  # in capitals
    number: str  # "Số 12-BC/HU"
    place_date: str
    title: str
    subject: str
    sections: list[SectionBlock]
    overall_label: str
    overall_assessment: str
    proposals_label: str
    proposals: str
    signer: Signer
    recipients: list[str]
    # Duty III.1's first ask, before the tasks; None for a report without it.
    leadership: Part | None = None

    @property
    def organisation(self) -> str:
        return " ".join(self.organisation_lines)

    @property
    def closing_parts(self) -> list[Part]:
        return [
            Part(self.overall_label, self.overall_assessment),
            Part(self.proposals_label, self.proposals),
        ]


def document_date(report: AnnualReport) -> dt.date:
    """The date the report bears: its last submission, or today while never submitted."""
    if report.last_submitted_at is not None:
        return timezone.localtime(report.last_submitted_at).date()
    return timezone.localdate()


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
    day = document_date(report)
    rules = rules_for(day)
    issuer = issuer_on(organisation, day)
    return ReportDocument(
        rules=rules,
        superior=issuer.superior,
        organisation_lines=issuer.name_lines,
        number=issuer.number_line(report.number, rules=rules),
        place_date=place_date_line(issuer.place, day, rules),
        title=_("BÁO CÁO"),
        subject=report_subject(report.cycle.plan, report.cycle.year),
        sections=sections,
        overall_label=_("Đánh giá chung"),
        overall_assessment=report.overall_assessment,
        proposals_label=_("Kiến nghị, đề xuất"),
        proposals=report.proposals,
        signer=committee_signer(issuer, position=report.signer_position, name=report.signer_name),
        recipients=[*addressees(report.reports_to or organisation.parent, day), _("Lưu.")],
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
    party_header(
        document, doc.rules, superior=doc.superior, name_lines=doc.organisation_lines,
        number=doc.number, place_date=doc.place_date, title=doc.title, subject=doc.subject,
    )  # fmt: skip


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
    recipients_and_signature(document, doc.rules, doc.recipients, doc.signer)


def report_docx_bytes(report: AnnualReport) -> bytes:
    """The report as a Word file, laid out by the rules in force on its date (party.py).
    ``report`` must come from ``selectors.report_with_content``."""
    with translation.override(settings.LANGUAGE_CODE):
        doc = report_document(report)
        document = Document()
        setup_document(document)
        apply_rules(document, doc.rules)
        properties = document.core_properties
        properties.title = xml_safe(f"{doc.title} {doc.subject}")[:255]  # Word's limit
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
