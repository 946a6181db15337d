"""Building Word documents in the Party document layout (Hướng dẫn 36-HD/VPTW): A4,
Times New Roman for every script, the margins and indents the guidance gives, and tables
Word accepts. Shared by a report's Word file and the yearly summary."""

from __future__ import annotations

from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reports.documents.safe_text import strip_control

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
SMALL_SIZE = Pt(12)
TABLE_SIZE = Pt(13)
INDENT = Cm(1)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Cm(2), Cm(2), Cm(3), Cm(1.5)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT


def xml_safe(text: str) -> str:
    """Pasted text can carry characters XML 1.0 forbids, and python-docx refuses them."""
    return strip_control(text)


def set_fonts(rpr) -> None:
    """Times New Roman for every script, theme fonts removed, so Word never falls back
    to another font for Vietnamese letters."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def set_language(rpr, tag: str = "vi-VN") -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def setup_document(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        default_rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if default_rpr is not None:
            set_fonts(default_rpr)

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    set_fonts(rpr)
    set_language(rpr)
    paragraph = normal.paragraph_format
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.first_line_indent = INDENT
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(6)
    paragraph.line_spacing = 1.15


def add_run(paragraph, text: str, *, bold=False, italic=False, underline=False, size=None):
    run = paragraph.add_run(xml_safe(text))
    run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
    if size is not None:
        run.font.size = size
    return run


def add_paragraph(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size=None,
    align=None,
    indent: bool = True,
    space_after=None,
    space_before=None,
):
    paragraph = container.add_paragraph()
    if text:
        add_run(paragraph, text, bold=bold, italic=italic, underline=underline, size=size)
    form = paragraph.paragraph_format
    if align is not None:
        form.alignment = align
    if not indent:
        form.first_line_indent = Cm(0)
    if space_after is not None:
        form.space_after = space_after
    if space_before is not None:
        form.space_before = space_before
    return paragraph


def cell_line(cell, text: str = "", **options):
    """A line in a table cell: centred, no indent, tight spacing."""
    options.setdefault("align", WD_ALIGN_PARAGRAPH.CENTER)
    options.setdefault("space_after", Pt(0))
    paragraph = add_paragraph(cell, text, indent=False, **options)
    return paragraph


def empty_cell(cell):
    """A cell emptied of the blank paragraph Word requires, so lines start at the top."""
    for paragraph in list(cell.paragraphs):
        paragraph._element.getparent().remove(paragraph._element)
    return cell


# The order the schema gives the table properties; Word refuses a file that breaks it.
_TBL_PR_ORDER = [
    qn(f"w:{name}")
    for name in (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
        "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
    )
]  # fmt: skip


def order_table_properties(table) -> None:
    tbl_pr = table._tbl.tblPr
    children = list(tbl_pr)
    rank = {tag: index for index, tag in enumerate(_TBL_PR_ORDER)}
    children.sort(key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        tbl_pr.append(child)  # appending an existing child moves it to the end


def borderless(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    existing = tbl_pr.find(qn("w:tblBorders"))
    if existing is not None:
        tbl_pr.remove(existing)
    tbl_pr.append(borders)
    order_table_properties(table)


def set_widths(table, widths) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    order_table_properties(table)


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


# The Party's rules (reports.documents.party) applied ----------------------------------


def apply_rules(document, rules) -> None:
    """Margins, and page numbers from page 2: a PAGE field centred in the header of every
    page but the first (its header stays empty), at the distance the rules give."""
    section = document.sections[0]
    top, bottom, left, right = (Cm(value) for value in rules.margins_cm)
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right
    section.different_first_page_header_footer = True
    part = section.header if rules.page_number_in_header else section.footer
    if rules.page_number_in_header:
        section.header_distance = Cm(rules.page_number_distance_mm / 10)
    else:
        section.footer_distance = Cm(rules.page_number_distance_mm / 10)
    paragraph = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
    form = paragraph.paragraph_format
    form.alignment = WD_ALIGN_PARAGRAPH.CENTER
    form.first_line_indent = Cm(0)
    form.space_after = Pt(0)
    _page_field(paragraph, Pt(rules.page_number.size))


def _page_field(paragraph, size) -> None:
    """A PAGE field: Word and LibreOffice fill in the page's number."""

    def run_with(element):
        run = paragraph.add_run()
        run.font.size = size
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    shown = paragraph.add_run("2")  # shown until the field is updated
    shown.font.size = size
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def styled_line(cell, text: str, style, **options):
    """A line of a table cell in one of the rules' TextStyles."""
    return cell_line(
        cell, text, bold=style.bold, italic=style.italic, underline=style.underline,
        size=Pt(style.size), **options,
    )  # fmt: skip


def recipients_and_signature(document, rules, recipients: list[str], signer) -> None:
    """The closing block of every document: "Nơi nhận:" and its lines on the left, the
    signature block on the right (authority, title, room to sign and seal, name). One
    function, so the summary and the unit report never differ."""
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    set_widths(table, [TEXT_WIDTH - Cm(8.5), Cm(8.5)])
    left, right = (empty_cell(cell) for cell in table.rows[0].cells)
    flush = WD_ALIGN_PARAGRAPH.LEFT
    styled_line(left, _("Nơi nhận:"), rules.recipients_label, align=flush)
    for line in recipients:
        styled_line(left, f"- {line}", rules.recipients, align=flush)
    for line in signer.lines:
        styled_line(right, line, rules.signer)
    cell_line(right, space_after=Pt(72))  # room for the signature and the seal
    if signer.name:
        styled_line(right, signer.name, rules.signer)


def party_header(
    document, rules, *, superior: str, name_lines: list[str], number: str, place_date: str,
    title: str, subject: str,
) -> None:  # fmt: skip
    """The top of page 1 (36-HD/VPTW, Phụ lục 3): the superior body, the issuing body, "*"
    and the number on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date on the
    right; then the document's type and its subject, centred."""
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    set_widths(table, [Cm(7.5), TEXT_WIDTH - Cm(7.5)])
    left, right = (empty_cell(cell) for cell in table.rows[0].cells)
    if superior:
        styled_line(left, superior, rules.superior)
    for line in name_lines:
        styled_line(left, line, rules.issuer)
    cell_line(left, "*")
    styled_line(left, number, rules.number)
    styled_line(right, _("ĐẢNG CỘNG SẢN VIỆT NAM"), rules.party_title)
    styled_line(right, place_date, rules.place_date, space_before=Pt(12))

    add_paragraph(document, indent=False, space_after=Pt(0))
    center = WD_ALIGN_PARAGRAPH.CENTER
    style = rules.doc_type
    add_paragraph(
        document, title, bold=style.bold, size=Pt(style.size), align=center, indent=False,
        space_before=Pt(12), space_after=Pt(0),
    )  # fmt: skip
    style = rules.subject
    add_paragraph(
        document, subject, bold=style.bold, italic=style.italic, size=Pt(style.size),
        align=center, indent=False, space_after=Pt(0),
    )  # fmt: skip
    add_paragraph(document, "-----", align=center, indent=False)
