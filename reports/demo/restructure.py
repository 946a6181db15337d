"""The restructuring files the demo history applies, and the demo's own chi bộ."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from organisations.loaders import organisations_load
from organisations.models import OrganisationChange
from plan112.datafiles import read_yaml
from reports.demo.accounts import demo_accounts_create

# Restructuring files (data/organisations/2025-vinh-long.yaml) are applied by the history
# in time order, between the cycles before and after them; then the demo's illustrative
# chi bộ (never real data, so never in data/organisations) are added under the new
# commune committees.
RESTRUCTURINGS = Path(settings.BASE_DIR) / "data" / "organisations"
DEMO_CELLS = Path(__file__).with_name("chi-bo-minh-hoa.yaml")


def restructurings() -> list[tuple[int, Path]]:
    """The restructuring files by year (their names start with it: 2025-vinh-long.yaml)."""
    return [
        (int(p.name[:4]), p) for p in sorted(RESTRUCTURINGS.glob("[0-9][0-9][0-9][0-9]-*.yaml"))
    ]


def applied(path: Path) -> bool:
    keys = [c.require("key").text() for c in read_yaml(path).get("changes").items()]
    return OrganisationChange.objects.filter(key__in=keys).count() == len(keys)


def apply_restructurings(files: list[Path], say: Callable[[str], None]) -> None:
    """Apply the restructuring files, add the demo's illustrative chi bộ under the
    committees they form, and create the accounts of the new organisations."""
    for path in [*files, DEMO_CELLS]:
        stats = organisations_load(path=path)
        say(f"  Sắp xếp tổ chức ({path.name}): {stats.summary()}.")
    demo_accounts_create(password=settings.DEMO_PASSWORD)
