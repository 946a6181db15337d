"""The yearly summary's draft as the application composes it, in the usual shape of a
Party committee's yearly report on a plan:

- an opening: the plan, and who reported (sent, on time, late, missing);
- I. leadership and dissemination: the units' own implementation plans and what the
  units say of how they led, disseminated and planned;
- II. results, one part per task: sentences from the totals with the change on last
  year compared like for like, how the units rated themselves, a few quoted passages;
- III. limitations and their causes; IV. direction, the units' proposals, and a part
  left for Ban Tổ chức's own recommendations.

Every sentence is read from the data: totals from ``reports.figures`` (the dashboard's
own definitions), passages quoted with their unit and a link to the report they came
from. Nothing is said that the figures do not hold, and a bounded number of units is
quoted (``sources``), so the text reads the same at a province's size and a nation's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.figures.content import level_label
from reports.figures.definitions import (
    counted_statuses,
    cycle_figures,
    expected_organisations,
    node_or_top,
    previous_cycle,
)
from reports.figures.totals import IndicatorTotal, indicator_totals
from reports.models import AnnualReport, Level, LevelTally, ReportingCycle, end_of_day
from reports.summary.data import number, percent
from reports.summary.sources import (
    Quote,
    counted_reports,
    how_many_said,
    report_quotes,
    section_quotes,
    section_quotes_by_task,
    unit_names,
)
from tasks.models import Task

# Passages quoted in a part's text, and offered beside it to quote from while editing.
QUOTED = 3
CANDIDATES = 8
# Units named where the text lists who has not done something; the rest are counted.
NAMED = 10

# The parts' keys, in the document's order; the tasks' parts come between.
SITUATION = "situation"
LEADERSHIP = "leadership"
LIMITATIONS = "limitations"
DIRECTIONS = "directions"
PROPOSALS = "proposals"
RECOMMENDATIONS = "recommendations"  # Ban Tổ chức's own: left for a person to write


def task_key(task: Task) -> str:
    return f"task-{task.number}"


@dataclass
class ComposedPart:
    key: str
    section: str
    heading: str
    text: str
    task_id: int | None = None
    quotes: list[dict] = field(default_factory=list)


def _quoted_lines(quotes: list[Quote], *, with_task: bool = False) -> list[str]:
    lines = []
    for quote in quotes:
        where = (
            _("%(unit)s (nhiệm vụ %(task)s)") % {"unit": quote.unit, "task": quote.task}
            if with_task and quote.task
            else quote.unit
        )
        lines.append(f"- {where}: {quote.text}")
    return lines


def _names(names: list[str], total: int) -> str:
    """ "A, B, C" or "A, B và 12 đơn vị khác" when more than were named."""
    text = ", ".join(names)
    if total > len(names):
        text = _("%(names)s và %(count)s đơn vị khác") % {
            "names": text,
            "count": number(total - len(names)),
        }
    return text


def _basis(counted: int, include_submitted: bool) -> str:
    if include_submitted:
        return _(
            "Số liệu và nội dung dưới đây tính từ %(count)s báo cáo đã được tiếp nhận hoặc đã"
            " gửi và đang chờ xem xét."
        ) % {"count": number(counted)}
    return _("Số liệu và nội dung dưới đây tính từ %(count)s báo cáo đã được tiếp nhận.") % {
        "count": number(counted)
    }


def _situation(cycle: ReportingCycle, counted: int, include_submitted: bool) -> str:
    plan = cycle.plan
    figures = cycle_figures(cycle)
    values = {
        "plan": plan.number,
        "issuer": plan.issuer.name,
        "year": cycle.year,
        "due": date_format(cycle.due_on, "SHORT_DATE_FORMAT"),
        "expected": number(figures.expected),
        "actual": number(figures.actual),
        "completeness": percent(figures.completeness),
        "on_time": number(figures.on_time),
        "late": number(figures.late),
        "missing": number(figures.missing),
    }
    lines = [
        _(
            "Thực hiện Kế hoạch số %(plan)s của %(issuer)s, trên cơ sở báo cáo của các đơn vị,"
            " kết quả thực hiện năm %(year)s được tổng hợp như sau."
        )
        % values,
        _(
            "Tình hình báo cáo: hạn nộp ngày %(due)s; %(actual)s/%(expected)s đơn vị phải báo"
            " cáo đã gửi báo cáo (đạt %(completeness)s), trong đó %(on_time)s đơn vị gửi đúng"
            " hạn, %(late)s đơn vị gửi chậm; %(missing)s đơn vị chưa gửi báo cáo."
        )
        % values,
    ]
    if figures.missing:
        sent = AnnualReport.objects.filter(cycle=cycle, first_submitted_at__isnull=False)
        missing = unit_names(
            expected_organisations(cycle).exclude(pk__in=sent.values("organisation_id")),
            NAMED,
            cycle.period_end,
        )
        lines.append(
            _("Đơn vị chưa gửi báo cáo: %(names)s (danh sách đầy đủ trong tệp Excel).")
            % {"names": _names(missing, figures.missing)}
        )
    lines.append(_basis(counted, include_submitted))
    return "\n".join(lines)


def _subplans(cycle: ReportingCycle) -> list[str]:
    """How many of the committees the cycle expects registered their own plan, on time
    or not, and which did not (named up to NAMED)."""
    plan = cycle.plan
    expected = expected_organisations(cycle)
    total = expected.count()
    if not total:
        return []
    issued = expected.filter(subplans__plan=plan)
    issued_count = issued.count()
    values = {"issued": number(issued_count), "total": number(total), "plan": plan.number}
    line = (
        _(
            "Có %(issued)s/%(total)s đơn vị phải báo cáo đã ban hành kế hoạch thực hiện Kế"
            " hoạch số %(plan)s (đã đăng ký trên hệ thống)"
        )
        % values
    )
    if plan.subplans_due is not None:
        # One filter() call: both conditions on the same sub-plan, not on any two.
        on_time = expected.filter(
            subplans__plan=plan, subplans__registered_at__lte=end_of_day(plan.subplans_due)
        )
        line += _("; trong đó %(on_time)s đơn vị đăng ký đúng hạn (hạn ngày %(due)s)") % {
            "on_time": number(on_time.count()),
            "due": date_format(plan.subplans_due, "SHORT_DATE_FORMAT"),
        }
    lines = [f"{line}."]
    missing = expected.exclude(subplans__plan=plan)
    not_issued = total - issued_count
    if not_issued:
        names = unit_names(missing, NAMED, cycle.period_end)
        lines.append(
            _("Đơn vị chưa đăng ký kế hoạch thực hiện: %(names)s.")
            % {"names": _names(names, not_issued)}
        )
    return lines


def _leadership(cycle, reports, said: dict[str, int]) -> ComposedPart:
    lines = _subplans(cycle)
    quotes = report_quotes(reports, "leadership", CANDIDATES, cycle.period_end)
    if said["leadership"]:
        lines.append(
            _(
                "%(count)s đơn vị báo cáo về công tác lãnh đạo, chỉ đạo, quán triệt và triển khai"
                " thực hiện; một số nội dung tiêu biểu:"
            )
            % {"count": number(said["leadership"])}
        )
        lines += _quoted_lines(quotes[:QUOTED])
    else:
        lines.append(
            _("Chưa có báo cáo nào nêu công tác lãnh đạo, chỉ đạo, quán triệt, triển khai.")
        )
    return ComposedPart(
        key=LEADERSHIP,
        section=_("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT, TRIỂN KHAI THỰC HIỆN"),
        heading="",
        text="\n".join(lines),
        quotes=[quote.as_dict() for quote in quotes],
    )


def change_sentence(row: IndicatorTotal, previous_year: int | None) -> str:
    """What the total did since last year, in words that hold for the data: no change is
    stated when this year has fewer reports than last (``Coverage``), only what each
    year holds."""
    if previous_year is None:
        return ""
    if row.previous is None:
        return _("năm %(year)s chưa có số liệu để so sánh") % {"year": previous_year}
    if row.partial and row.coverage is not None:
        return _(
            "chưa so sánh được với năm %(year)s vì số báo cáo khác nhau (năm %(year)s:"
            " %(before)s báo cáo; năm nay: %(now)s báo cáo)"
        ) % {
            "year": previous_year,
            "before": number(row.coverage.previous_reports),
            "now": number(row.coverage.reports),
        }
    change = row.change
    if not change:
        return _("bằng năm %(year)s") % {"year": previous_year}
    amount = number(abs(change))
    if row.change_percent is not None:
        amount += f" ({percent(abs(row.change_percent))})"
    values = {"amount": amount, "year": previous_year}
    if change > 0:
        return _("tăng %(amount)s so với năm %(year)s") % values
    return _("giảm %(amount)s so với năm %(year)s") % values


def _figure_lines(rows: list[IndicatorTotal], previous_year: int | None) -> list[str]:
    lines = []
    empty = 0
    for row in rows:
        if row.value is None:
            empty += 1
            continue
        line = f"- {row.indicator.name}: {number(row.value)} {row.indicator.unit}".rstrip()
        change = change_sentence(row, previous_year)
        lines.append(f"{line}, {change}." if change else f"{line}.")
    if empty:
        lines.append(
            _("Có %(count)s chỉ tiêu chưa có đơn vị nào báo cáo số liệu.") % {"count": empty}
        )
    return lines


def _levels(cycle: ReportingCycle, statuses: tuple[str, ...]) -> dict[int, dict[str, int]]:
    """How many counted reports rated each task at each level, from the running tallies."""
    rows = (
        LevelTally.objects.filter(
            cycle=cycle, status__in=statuses, node__in=node_or_top(cycle.plan, None).line
        )
        .exclude(level="")
        .values("task_id", "level")
        .annotate(n=Sum("count"))
        .values_list("task_id", "level", "n")
    )
    levels: dict[int, dict[str, int]] = {}
    for task_id, level, count in rows:
        if count > 0:
            levels.setdefault(task_id, {})[level] = count
    return levels


def _task(
    task: Task,
    rows: list[IndicatorTotal],
    levels: dict[str, int],
    quotes: list[Quote],
    previous_year: int | None,
) -> ComposedPart:
    lines = _figure_lines(rows, previous_year)
    compared = rows[0].coverage if rows else None
    if compared is not None and compared.reports > compared.previous_reports:
        # More reports this year than last: a rise may be no more than more units
        # counted, and the reader must know it before reading one.
        lines.insert(
            0,
            _(
                "Số liệu năm nay tính từ %(now)s báo cáo, năm %(year)s từ %(before)s báo cáo;"
                " mức tăng, giảm dưới đây có phần do số đơn vị báo cáo khác nhau."
            )
            % {
                "now": number(compared.reports),
                "before": number(compared.previous_reports),
                "year": compared.previous_year,
            },
        )
    if levels:
        tally = "; ".join(
            _("%(level)s: %(count)s đơn vị")
            % {"level": level_label(level), "count": number(levels[level])}
            for level in Level.values
            if levels.get(level)
        )
        lines.append(_("Các đơn vị tự đánh giá kết quả thực hiện: %(tally)s.") % {"tally": tally})
    if quotes:
        lines.append(_("Một số kết quả tiêu biểu:"))
        lines += _quoted_lines(quotes[:QUOTED])
    if not lines:
        lines.append(_("Chưa có đơn vị nào báo cáo kết quả thực hiện nhiệm vụ này."))
    return ComposedPart(
        key=task_key(task),
        section=_("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"),
        heading=f"{task.number}. {task.title}",
        text="\n".join(lines),
        task_id=task.pk,
        quotes=[quote.as_dict() for quote in quotes],
    )


def _limitations(reports, said: dict[str, int], day: dt.date) -> ComposedPart:
    limits = section_quotes(reports, "limitations", CANDIDATES, day)
    causes = section_quotes(reports, "causes", CANDIDATES, day)
    lines = [_("1. Hạn chế, khuyết điểm")]
    if said["limitations"]:
        lines.append(
            _("%(count)s đơn vị nêu hạn chế, khuyết điểm; chủ yếu là:")
            % {"count": number(said["limitations"])}
        )
        lines += _quoted_lines(limits[:QUOTED], with_task=True)
    else:
        lines.append(_("Các đơn vị không nêu hạn chế, khuyết điểm."))
    lines.append(_("2. Nguyên nhân"))
    if said["causes"]:
        lines.append(
            _("%(count)s đơn vị nêu nguyên nhân; chủ yếu là:") % {"count": number(said["causes"])}
        )
        lines += _quoted_lines(causes[:QUOTED], with_task=True)
    else:
        lines.append(_("Các đơn vị không nêu nguyên nhân."))
    return ComposedPart(
        key=LIMITATIONS,
        section=_("III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN"),
        heading="",
        text="\n".join(lines),
        quotes=[quote.as_dict() for quote in limits + causes],
    )


def _direction_parts(reports, said: dict[str, int], day: dt.date) -> list[ComposedPart]:
    section = _("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ, ĐỀ XUẤT")
    steps = section_quotes(reports, "next_steps", CANDIDATES, day)
    proposals = report_quotes(reports, "proposals", CANDIDATES, day)
    if said["next_steps"]:
        lines = [
            _("%(count)s đơn vị nêu phương hướng, nhiệm vụ thời gian tới; chủ yếu là:")
            % {"count": number(said["next_steps"])}
        ]
        lines += _quoted_lines(steps[:QUOTED], with_task=True)
    else:
        lines = [_("Các đơn vị chưa nêu phương hướng, nhiệm vụ thời gian tới.")]
    if said["proposals"]:
        proposal_lines = [
            _("%(count)s đơn vị có kiến nghị, đề xuất:") % {"count": number(said["proposals"])}
        ]
        proposal_lines += _quoted_lines(proposals[:QUOTED])
    else:
        proposal_lines = [_("Các đơn vị không có kiến nghị, đề xuất.")]
    return [
        ComposedPart(
            DIRECTIONS,
            section,
            _("1. Phương hướng, nhiệm vụ thời gian tới"),
            "\n".join(lines),
            quotes=[quote.as_dict() for quote in steps],
        ),
        ComposedPart(
            PROPOSALS,
            section,
            _("2. Kiến nghị, đề xuất của các đơn vị"),
            "\n".join(proposal_lines),
            quotes=[quote.as_dict() for quote in proposals],
        ),
        ComposedPart(RECOMMENDATIONS, section, _("3. Kiến nghị, đề xuất của Ban Tổ chức"), ""),
    ]


def compose(cycle: ReportingCycle, *, include_submitted: bool = False) -> list[ComposedPart]:
    """The draft's parts for the cycle, in order. A fixed number of queries, whatever the
    number of organisations and reports."""
    previous = previous_cycle(cycle)
    previous_year = previous.year if previous is not None else None
    reports = counted_reports(cycle, include_submitted)
    counted = reports.count()
    said = how_many_said(reports)
    totals = indicator_totals(cycle, include_submitted=include_submitted, previous=previous)
    by_task: dict[int, list[IndicatorTotal]] = {}
    for row in totals.rows:
        by_task.setdefault(row.indicator.task_id, []).append(row)
    levels = _levels(cycle, counted_statuses(include_submitted))
    quotes = section_quotes_by_task(reports, "results", CANDIDATES, cycle.period_end)
    tasks = Task.objects.filter(plan_id=cycle.plan_id).order_by("number")

    parts = [
        ComposedPart(SITUATION, "", "", _situation(cycle, counted, include_submitted)),
        _leadership(cycle, reports, said),
    ]
    parts += [
        _task(
            task,
            by_task.get(task.pk, []),
            levels.get(task.pk, {}),
            quotes.get(task.pk, []),
            previous_year,
        )
        for task in tasks
    ]
    parts.append(_limitations(reports, said, cycle.period_end))
    parts += _direction_parts(reports, said, cycle.period_end)
    return parts
