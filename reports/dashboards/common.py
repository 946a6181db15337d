"""What Ban Tổ chức's dashboard of one cycle and the leaders' provincial rollup show.

Pure reads. Every figure comes from ``reports.figures`` (so the pages, the spreadsheets,
the API and the yearly summary agree); this module only lays the figures out per
organisation, task and year. The dashboard costs a fixed number of queries whatever the
number of organisations; the rollup a fixed number per cycle (cycles are few: one a year)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from organisations.models import COMMITTEE_KINDS, Organisation, OrganisationKind
from organisations.tree import ancestors
from reports.figures.content import format_figure
from reports.figures.definitions import (
    CycleFigures,
)
from reports.models import (
    NOT_STARTED_LABEL,
    AnnualReport,
    ReportStatus,
)
from reports.selectors import oversight
from tasks.lines import ReportingNode

# Numbers as people read them --------------------------------------------------------------

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash in Vietnamese text


def percent_text(value: Decimal | None) -> str:
    """85.7 → "85,7%"."""
    if value is None:
        return ""
    return f"{number_format(value, decimal_pos=1, force_grouping=True)}%"


def signed_figure_text(value: Decimal | None) -> str:
    """A change: "+12", "−3", "0"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{format_figure(abs(value))}"


def signed_percent_text(value: Decimal | None) -> str:
    """A relative change: "+12,5%", "−3,0%"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{percent_text(abs(value))}"


def as_number(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON and spreadsheets: integers stay integers."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# Labels by value, looked up directly: Django's get_FOO_display hashes every lazy label
# of the choices on each call, which dominated an export of 50,000 rows.
STATUS_LABELS = dict(ReportStatus.choices)

BADGES: dict[str, str] = {
    ReportStatus.DRAFT: "text-bg-secondary",
    ReportStatus.SUBMITTED: "text-bg-primary",
    ReportStatus.RETURNED: "text-bg-warning",
    ReportStatus.ACCEPTED: "text-bg-success",
}


def status_badge_html(report: AnnualReport | None) -> SafeString:
    """A report's status as a badge; "not started" when there is no report."""
    if report is None:
        return format_html('<span class="badge text-bg-light border">{}</span>', NOT_STARTED_LABEL)
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGES.get(report.status, ""),
        report.get_status_display(),
    )


KIND_LABELS = dict(OrganisationKind.choices)


@dataclass(frozen=True)
class Card:
    label: str
    value: int | Decimal
    text: str
    tone: str = ""


def rate_cards(f: CycleFigures) -> list[Card]:
    """The three rates of a cycle, as the dashboard and the rollup both show them."""
    return [
        Card(_("Tỷ lệ đầy đủ"), f.completeness, percent_text(f.completeness)),
        Card(_("Tỷ lệ đúng hạn"), f.timeliness, percent_text(f.timeliness)),
        Card(_("Tỷ lệ tiếp nhận"), f.acceptance, percent_text(f.acceptance)),
    ]


# Where a level sits in the cascade ---------------------------------------------------------


@dataclass(frozen=True)
class Crumb:
    """One committee on the way from the top of the tree down to the level shown."""

    code: str
    name: str
    linked: bool  # within the user's reach: a link with ?don_vi=
    current: bool  # the level shown


def _chain(node: ReportingNode, above: Iterable[Organisation]) -> list[Organisation]:
    """The committees from the top of the tree down to the node, in that order. The
    ancestors come back ordered by code, so the order is rebuilt from the parent links;
    bodies that are not committees (a Front, a bloc) are passed over, since no level of
    reporting sits there."""
    by_pk = {org.pk: org for org in above}
    chain = [node.organisation]
    parent = node.organisation.parent_id
    while parent is not None and parent in by_pk and len(chain) <= len(by_pk):
        chain.append(by_pk[parent])
        parent = by_pk[parent].parent_id
    chain.reverse()
    return [org for org in chain if org.kind in COMMITTEE_KINDS or org is node.organisation]


def breadcrumb(user, plan_id: int, node: ReportingNode | None) -> list[Crumb]:
    """The committees above the level shown, then the level itself: one query (the
    ancestors). Only the part the user may open is linked: all of it for the plan's top
    committee's people and administrators, from their own committee down for a lower
    committee's (a district reviewer sees the province named, not linked)."""
    if node is None:
        return []
    chain = _chain(node, ancestors(node.organisation))
    view = oversight(user)
    reach = 0
    if not view.everything and plan_id not in view.whole_plans:
        mine = view.lower_lines()
        reach = next((i for i, org in enumerate(chain) if org.pk in mine), len(chain) - 1)
    last = len(chain) - 1
    return [
        Crumb(code=org.code, name=org.name, linked=reach <= i < last, current=i == last)
        for i, org in enumerate(chain)
    ]
