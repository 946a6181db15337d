"""Small helpers that build cycles and reports through the real services."""

import contextlib
import datetime as dt
from decimal import Decimal

import time_machine

from reports.figures.content import ReportContent, SectionContent
from reports.models import AnnualReport, ReportingCycle
from reports.services.cycles import cycle_open
from reports.services.reports import report_save, report_start, report_submit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_cycle(plan, actor, *, year: int = 2026, due: dt.date | None = None) -> ReportingCycle:
    due = due or dt.date(year, 12, 15)
    return cycle_open(
        plan=plan,
        year=year,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        opens_on=dt.date(year, 1, 1),
        due_on=due,
        closes_on=due + dt.timedelta(days=60),
        actor=actor,
    )


def valid_figures(report: AnnualReport) -> dict[str, Decimal]:
    """Figures for every indicator of the report that satisfy every rule of the plan."""
    codes = list(report.values.values_list("indicator__code", flat=True))
    figures = {code: Decimal(3) for code in codes}
    rules = [r for r in report.cycle.plan.rules.all() if r.codes() <= set(codes)]
    for _ in range(20):
        broken = [r for r in rules if r.holds(figures) is False]
        if not broken:
            return figures
        for rule in broken:
            left = sum(figures[c] for c in rule.parts)
            right = sum(figures[c] for c in rule.whole)
            if rule.operator in ("lte", "lt"):
                figures[rule.whole[0]] += left - right + (1 if rule.operator == "lt" else 0)
            elif rule.operator in ("gte", "gt"):
                figures[rule.parts[0]] += right - left + (1 if rule.operator == "gt" else 0)
            else:
                figures[rule.whole[0]] += left - right
    raise AssertionError("could not satisfy the plan's rules")


def full_content(report: AnnualReport, *, text: str = "Kết quả") -> ReportContent:
    numbers = list(report.sections.values_list("task__number", flat=True))
    return ReportContent(
        leadership="Ban Thường vụ đã tổ chức quán triệt, ban hành kế hoạch thực hiện và phổ"
        " biến đến các chi bộ."
        if report.asks_leadership
        else "",
        overall_assessment="Đảng bộ đã triển khai nghiêm túc kế hoạch.",
        proposals="Đề nghị Tỉnh ủy tăng cường tập huấn.",
        signer_name="Nguyễn Văn An",
        signer_position="Bí thư Huyện ủy",
        sections={
            n: SectionContent(
                results=f"{text} nhiệm vụ {n}",
                limitations="Còn hạn chế",
                causes="Nguyên nhân khách quan",
                next_steps="Tiếp tục thực hiện",
                level="good",
            )
            for n in numbers
        },
        figures=valid_figures(report),
    )


def make_report(cycle, organisation, reporter) -> AnnualReport:
    return report_start(cycle=cycle, organisation=organisation, actor=reporter)


def submitted_report(
    cycle,
    organisation,
    reporter,
    *,
    figures: dict[str, Decimal | int | str] | None = None,
    levels: dict[int, str] | None = None,
    level: str | None = None,
    when: dt.datetime | None = None,
) -> AnnualReport:
    """A complete report started and submitted through the services: every test that
    needs a submitted report comes here. `figures` and `levels` (by task number; `level`
    for every task) replace the valid defaults; `when` is the moment of submission."""
    with time_machine.travel(when, tick=False) if when else contextlib.nullcontext():
        report = make_report(cycle, organisation, reporter)
        content = full_content(report)
        content.figures.update({code: Decimal(value) for code, value in (figures or {}).items()})
        for number, section in content.sections.items():
            section.level = (levels or {}).get(number, level or section.level)
        return report_submit(report=report, content=content, version=report.version, actor=reporter)


def saved_report(cycle, organisation, reporter, content=None) -> AnnualReport:
    report = make_report(cycle, organisation, reporter)
    return report_save(
        report=report,
        content=content or full_content(report),
        version=report.version,
        actor=reporter,
    )


def province_pk() -> int:
    """Tỉnh ủy Trà Vinh: the committee district-level organisations report to, for test
    data written in bulk (which must give parent and reports_to itself)."""
    from organisations.models import Organisation

    return Organisation.objects.only("pk").get(code="TV-TU").pk


def more_districts(count: int, *, names_every: int | None = None) -> list:
    """``count`` more district committees under the province (codes X-0000…, following
    those made before), named "Huyện ủy <n>", or with names repeating every
    ``names_every``: rows whose sort keys are equal but for the code then meet across
    page boundaries."""
    from organisations.models import Organisation

    start = Organisation.objects.filter(code__startswith="X-").count()
    return Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i:04d}",
            name=f"Huyện ủy {i}" if names_every is None else f"Huyện ủy Mẫu {i % names_every}",
            kind="district_committee",
            parent_id=province_pk(),
        )
        for i in range(start, start + count)
    )


def form_data(report: AnnualReport, content: ReportContent | None = None, **extra) -> dict:
    """What the report's edit page posts for this content (the full one by default)."""
    content = content or full_content(report)
    data = {
        "version": report.version,
        "leadership": content.leadership,
        "overall_assessment": content.overall_assessment,
        "proposals": content.proposals,
        "signer_name": content.signer_name,
        "signer_position": content.signer_position,
    }
    for number, section in content.sections.items():
        for part, value in vars(section).items():
            data[f"s{number}-{part}"] = value
    for code, value in content.figures.items():
        data[f"i-{code}"] = "" if value is None else str(int(value))
    return data | extra
