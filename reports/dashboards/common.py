"""What Ban Tổ chức's dashboard of one cycle and the leaders' provincial rollup show.

Pure reads. Every figure comes from ``reports.figures`` (so the pages, the spreadsheets,
the API and the yearly summary agree); this module only lays the figures out per
organisation, task and year. The dashboard costs a fixed number of queries whatever the
number of organisations; the rollup a fixed number per cycle (cycles are few: one a year)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from organisations.models import OrganisationKind
from reports.figures.content import format_figure
from reports.figures.definitions import (
    CycleFigures,
)
from reports.models import (
    ReportStatus,
)

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
