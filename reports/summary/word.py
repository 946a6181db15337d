"""The yearly summary as a Word file laid out as a Party document, by the rules in force
on its date (reports.documents.party: Hướng dẫn 36-HD/VPTW, then Quy định 399-QĐ/TW):
A4, Times New Roman 14, justified paragraphs with a first-line indent; the issuing body
and "ĐẢNG CỘNG SẢN VIỆT NAM" side by side at the top, "Nơi nhận" and the signature side
by side at the bottom, page numbers from page 2.

Ban Tổ chức of the plan's top committee issues it to Ban Thường vụ (plan section III.3);
who it is, its number's ký hiệu, place, addressee and signer come from the organisations'
data, followed to the bodies that existed on the document's date; the numbers come from
``reports.figures``. Nothing here knows a particular province or plan.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from organisations.models import OrganisationKind
from reports.documents.party import children_on, place_date_line, report_subject
from reports.documents.report import text_lines
from reports.documents.word import (
    TABLE_SIZE,
    TEXT_WIDTH,
    add_paragraph,
    add_run,
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
from reports.figures.content import format_figure, level_label
from reports.figures.definitions import IndicatorTotal
from reports.models import Level
from reports.summary.data import SummaryData, number, percent, steps

Progress = Callable[..., None]


def _ignore(*args, **kwargs) -> None:
    return None


def _heading(document, text: str) -> None:
    add_paragraph(document, text, bold=True, space_before=Pt(6))


def _label(document, text: str) -> None:
    add_paragraph(document, text, bold=True, italic=True)


def _item(document, organisation: str, text: str) -> None:
    """ "- Organisation: first line", then the text's other lines as paragraphs."""
    lines = text_lines(xml_safe(text))
    if not lines:
        return
    paragraph = add_paragraph(document, "- ")
    add_run(paragraph, f"{organisation}:", bold=True)
    add_run(paragraph, f" {lines[0]}")
    for line in lines[1:]:
        add_paragraph(document, line)


# The document's parts -------------------------------------------------------------------


def header_number(data: SummaryData) -> str:
    """ "Số 12-BC/BTCTU": the issuing body's ký hiệu (its data), "…" until numbered."""
    return data.issuer.number_line(data.number, rules=data.rules)


def subject(data: SummaryData) -> str:
    return report_subject(data.plan, data.cycle.year)


def addressee(data: SummaryData) -> str:
    """Whom the summary reports to: the issuing body's `addressee` in its data (Ban Tổ
    chức → "Ban Thường vụ Tỉnh ủy": plan section III.3, "định kỳ hàng năm báo cáo Ban
    Thường vụ Tỉnh ủy"), else the standing committee of the committee as it was on the
    document's date, else the committee."""
    if data.issuer.addressee:
        return data.issuer.addressee
    committee = data.committee
    standing = children_on(committee, data.day, kind=OrganisationKind.STANDING_COMMITTEE)
    return (standing[0] if standing else committee).name_on(data.day)


def _header(document, data: SummaryData) -> None:
    issuer = data.issuer
    party_header(
        document, data.rules, superior=issuer.superior, name_lines=issuer.name_lines,
        number=header_number(data), place_date=place_date_line(data.place, data.day, data.rules),
        title=_("BÁO CÁO"), subject=subject(data),
    )  # fmt: skip


def _introduction(document, data: SummaryData) -> None:
    add_paragraph(
        document,
        _(
            "Thực hiện Kế hoạch số %(plan)s của %(issuer)s, trên cơ sở báo cáo của các đơn vị, "
            "kết quả thực hiện năm %(year)s được tổng hợp như sau:"
        )
        % {"plan": data.plan.number, "issuer": data.plan.issuer.name, "year": data.cycle.year},
    )


def _situation(document, data: SummaryData) -> None:
    figures = data.figures
    _heading(document, _("I. TÌNH HÌNH BÁO CÁO"))
    values = {
        "year": data.cycle.year,
        "due": date_format(data.cycle.due_on, "SHORT_DATE_FORMAT"),
        "expected": number(figures.expected),
        "actual": number(figures.actual),
        "on_time": number(figures.on_time),
        "late": number(figures.late),
        "missing": number(figures.missing),
        "accepted": number(figures.accepted),
        "completeness": percent(figures.completeness),
        "timeliness": percent(figures.timeliness),
        "acceptance": percent(figures.acceptance),
        "counted": number(data.counted),
    }
    lines = [
        _(
            "Hạn nộp báo cáo năm %(year)s là ngày %(due)s. Số đơn vị phải báo cáo: "
            "%(expected)s đơn vị."
        ),
        _("- Đã gửi báo cáo: %(actual)s/%(expected)s đơn vị, tỷ lệ đầy đủ đạt %(completeness)s."),
        _(
            "- Gửi đúng hạn: %(on_time)s/%(expected)s đơn vị, tỷ lệ đúng hạn đạt %(timeliness)s;"
            " gửi chậm: %(late)s đơn vị."
        ),
        _("- Chưa gửi báo cáo: %(missing)s đơn vị."),
        _("- Báo cáo đã được tiếp nhận: %(accepted)s/%(expected)s, đạt %(acceptance)s."),
    ]
    for line in lines:
        add_paragraph(document, line % values)
    if data.summary.include_submitted:
        basis = _(
            "Số liệu và nội dung tổng hợp ở mục II tính từ %(counted)s báo cáo đã được tiếp nhận"
            " hoặc đã gửi và đang chờ xem xét."
        )
    else:
        basis = _(
            "Số liệu và nội dung tổng hợp ở mục II tính từ %(counted)s báo cáo đã được tiếp nhận."
        )
    add_paragraph(document, basis % values, italic=True)


def change_text(row: IndicatorTotal) -> str:
    """+12 (+25%) / -3 (-10%) / 0; "–" when a year has no figure; what each year holds
    when this year has fewer reports than last (``Coverage``)."""
    change = row.change
    if change is None:
        return "–"
    if row.partial and row.coverage is not None:
        return row.coverage.text
    sign = "+" if change > 0 else "-" if change < 0 else ""
    text = f"{sign}{number(abs(change))}"
    if row.change_percent is not None and change:
        text += f" ({sign}{format_figure(abs(row.change_percent))}%)"
    return text


def _figures_table(document, data: SummaryData, rows: list[IndicatorTotal]) -> None:
    table = document.add_table(rows=1, cols=5)
    table.style = document.styles["Table Grid"]
    previous = _("Năm %(year)s") % {"year": data.previous.year} if data.previous else _("Năm trước")
    headings = [
        _("Chỉ tiêu"),
        _("Đơn vị tính"),
        _("Năm %(year)s") % {"year": data.cycle.year},
        previous,
        _("Tăng/giảm"),
    ]
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell_line(empty_cell(cell), heading, bold=True, size=TABLE_SIZE)
    repeat_header(table.rows[0])
    right, left = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
    for row in rows:
        cells = [empty_cell(cell) for cell in table.add_row().cells]
        cell_line(cells[0], row.indicator.name, size=TABLE_SIZE, align=left)
        cell_line(cells[1], row.indicator.unit, size=TABLE_SIZE)
        cell_line(cells[2], number(row.value) or "–", size=TABLE_SIZE, align=right)
        cell_line(cells[3], number(row.previous) or "–", size=TABLE_SIZE, align=right)
        cell_line(cells[4], change_text(row), size=TABLE_SIZE, align=right)
    set_widths(table, [TEXT_WIDTH - Cm(10.5), Cm(2.5), Cm(2.5), Cm(2.5), Cm(3)])
    add_paragraph(document, indent=False, space_after=Pt(0))


# At a province's size every organisation is quoted; at a nation's, a summary quoting
# 50,000 committees would be unreadable and slow to build. Past this many, the rest are
# counted and left to the Excel file and the reports themselves.
MAX_QUOTED = 150


def _more(document, count: int, where: str) -> None:
    if count:
        add_paragraph(
            document,
            _("… và %(count)s đơn vị khác (%(where)s).") % {"count": number(count), "where": where},
            italic=True,
        )


def _letters():
    for letter in "abcdefghik":
        yield f"{letter})"


def _results(document, data: SummaryData, progress: Progress) -> None:
    """Section II, task by task. The counted reports' sections arrive as one stream
    ordered by task; only one task's limitations are held while its results are written."""
    _heading(document, _("II. KẾT QUẢ THỰC HIỆN"))
    indicators: dict[int, list[IndicatorTotal]] = {}
    for row in data.totals.rows:
        indicators.setdefault(row.indicator.task_id, []).append(row)
    stream = data.sections()
    pending = next(stream, None)
    count = max(len(data.tasks), 1)
    for index, task in enumerate(data.tasks):
        letters = _letters()
        add_paragraph(
            document,
            f"{task.number}. {task.title}",
            bold=True,
            space_before=Pt(6),
        )
        rows = indicators.get(task.pk, [])
        if rows:
            _label(document, _("%(letter)s Một số chỉ tiêu chủ yếu:") % {"letter": next(letters)})
            _figures_table(document, data, rows)
        _label(document, _("%(letter)s Kết quả đạt được:") % {"letter": next(letters)})
        while pending is not None and pending.task_number < task.number:
            pending = next(stream, None)  # a task no longer in the plan: nothing to say
        written = more_results = more_limitations = 0
        limitations: list[tuple[str, str]] = []
        levels: Counter[str] = Counter()
        while pending is not None and pending.task_number == task.number:
            if text_lines(pending.results):
                if written < MAX_QUOTED:
                    _item(document, pending.organisation, pending.results)
                    written += 1
                else:
                    more_results += 1
            if text_lines(pending.limitations):
                if len(limitations) < MAX_QUOTED:
                    limitations.append((pending.organisation, pending.limitations))
                else:
                    more_limitations += 1
            if pending.level:
                levels[pending.level] += 1
            pending = next(stream, None)
        if not written:
            add_paragraph(
                document, _("Chưa có đơn vị nào báo cáo kết quả nhiệm vụ này."), italic=True
            )
        _more(document, more_results, _("xem báo cáo của từng đơn vị"))
        _label(document, _("%(letter)s Hạn chế:") % {"letter": next(letters)})
        for organisation, text in limitations:
            _item(document, organisation, text)
        if not limitations:
            add_paragraph(document, _("Các đơn vị không nêu hạn chế."), italic=True)
        _more(document, more_limitations, _("xem báo cáo của từng đơn vị"))
        if levels:
            tally = "; ".join(
                _("%(level)s: %(count)s đơn vị")
                % {"level": level_label(level), "count": number(levels[level])}
                for level in Level.values
                if levels[level]
            )
            add_paragraph(document, _("Các đơn vị tự đánh giá — %(tally)s.") % {"tally": tally})
        progress(20 + 35 * (index + 1) // count)


def _late_and_missing(document, data: SummaryData) -> None:
    _heading(document, _("III. ĐƠN VỊ CHƯA BÁO CÁO HOẶC BÁO CÁO CHẬM"))
    missing, late = data.missing, data.late
    _label(
        document,
        _("1. Đơn vị chưa gửi báo cáo (%(count)s đơn vị):")
        % {"count": number(data.figures.missing)},
    )
    for row in missing[:MAX_QUOTED]:
        add_paragraph(document, f"- {row.name}.")
    if not missing:
        add_paragraph(document, _("Không có."))
    _more(document, max(0, len(missing) - MAX_QUOTED), _("danh sách đầy đủ trong tệp Excel"))
    _label(
        document,
        _("2. Đơn vị gửi báo cáo chậm (%(count)s đơn vị):") % {"count": number(data.figures.late)},
    )
    for row in late[:MAX_QUOTED]:
        sent = date_format(timezone.localtime(row.first_submitted_at), "SHORT_DATE_FORMAT")
        add_paragraph(
            document,
            _("- %(name)s: gửi ngày %(sent)s, chậm %(days)s ngày.")
            % {"name": row.name, "sent": sent, "days": number(row.days_late)},
        )
    if not late:
        add_paragraph(document, _("Không có."))
    _more(document, max(0, len(late) - MAX_QUOTED), _("danh sách đầy đủ trong tệp Excel"))


def _proposals(document, data: SummaryData) -> None:
    _heading(document, _("IV. KIẾN NGHỊ, ĐỀ XUẤT"))
    written = more = 0
    for organisation, text in data.proposals():
        if written < MAX_QUOTED:
            _item(document, organisation, text)
            written += 1
        else:
            more += 1
    if not written:
        add_paragraph(document, _("Các đơn vị không có kiến nghị, đề xuất."), italic=True)
    _more(document, more, _("xem báo cáo của từng đơn vị"))


def _closing(document, data: SummaryData) -> None:
    to = addressee(data)
    add_paragraph(
        document,
        _(
            "Trên đây là báo cáo kết quả thực hiện Kế hoạch số %(plan)s năm %(year)s, "
            "kính báo cáo %(to)s."
        )
        % {"plan": data.plan.number, "year": data.cycle.year, "to": to},
        space_before=Pt(6),
    )
    add_paragraph(document, indent=False, space_after=Pt(0))
    recipients = [
        _("%(to)s (b/c),") % {"to": to},
        _("Lưu %(body)s.") % {"body": data.issuer.suffix or _("văn thư")},
    ]
    recipients_and_signature(document, data.rules, recipients, data.signer)


def summary_docx_bytes(data: SummaryData, *, progress: Progress = _ignore) -> bytes:
    """The yearly summary as a Word file. ``progress(percent, step=None)`` is told as the
    work advances (20–60)."""
    labels = steps()
    document = Document()
    setup_document(document)
    apply_rules(document, data.rules)
    properties = document.core_properties
    properties.title = xml_safe(f"{_('BÁO CÁO')} {subject(data)}")[:255]  # Word's limit
    properties.author = xml_safe(data.issuer.organisation.name_on(data.day))
    properties.last_modified_by = properties.author
    properties.comments = ""
    properties.created = properties.modified = data.built_at

    _header(document, data)
    _introduction(document, data)
    _situation(document, data)
    progress(20, labels["tasks"])
    _results(document, data, progress)
    progress(55, labels["docx"])
    _late_and_missing(document, data)
    _proposals(document, data)
    _closing(document, data)

    buffer = io.BytesIO()
    document.save(buffer)
    progress(60)
    return buffer.getvalue()
