"""What the demo history holds, counted, and said in one line."""

from __future__ import annotations

from reports.models import (
    AnnualReport,
    Attachment,
    CycleStatus,
    ReportingCycle,
    ReportStatus,
    SubPlan,
)


def cycle_line(cycle: ReportingCycle) -> str:
    reports = list(cycle.reports.values_list("status", flat=True))
    submitted = sum(1 for s in reports if s != ReportStatus.DRAFT)
    state = "đang mở" if cycle.is_open else "đã đóng"
    return f"  Kỳ báo cáo năm {cycle.year} ({state}): {len(reports)} báo cáo, {submitted} đã gửi."


def demo_history_counts() -> dict:
    reports = list(AnnualReport.objects.select_related("cycle"))
    statuses = dict.fromkeys(ReportStatus.values, 0)
    for report in reports:
        statuses[report.status] += 1
    subplans = list(SubPlan.objects.select_related("plan"))
    cycles = list(ReportingCycle.objects.values_list("status", flat=True))
    return {
        "cycles": len(cycles),
        "cycles_open": cycles.count(CycleStatus.OPEN),
        "cycles_closed": cycles.count(CycleStatus.CLOSED),
        "reports": len(reports),
        "statuses": statuses,
        "late": sum(1 for r in reports if r.on_time is False),
        "attachments": Attachment.objects.filter(removed_at__isnull=True).count(),
        "subplans": len(subplans),
        "subplans_late": sum(1 for s in subplans if s.on_time is False),
    }


def demo_history_summary(counts: dict) -> str:
    """One line in Vietnamese, e.g. "Lịch sử báo cáo: 4 kỳ (3 đã đóng, 1 đang mở), …"."""
    statuses = ", ".join(
        f"{counts['statuses'][status]} {str(ReportStatus(status).label).lower()}"
        for status in (
            ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.RETURNED,
            ReportStatus.DRAFT,
        )
        if counts["statuses"].get(status)
    )  # fmt: skip
    late = f"; {counts['late']} nộp trễ hạn" if counts["late"] else ""
    return (
        f"Lịch sử báo cáo: {counts['cycles']} kỳ ({counts['cycles_closed']} đã đóng,"
        f" {counts['cycles_open']} đang mở), {counts['reports']} báo cáo"
        + (f" ({statuses}{late})" if statuses else "")
        + f", {counts['subplans']} kế hoạch thực hiện"
        + (f" ({counts['subplans_late']} ban hành trễ hạn)" if counts["subplans_late"] else "")
        + "."
    )
