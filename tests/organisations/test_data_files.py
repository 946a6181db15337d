"""The organisation data files hold together: plain YAML checks that need no loader, so
they also guard the restructuring file before the application can apply it."""

import datetime
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings

DATA = Path(settings.BASE_DIR) / "data" / "organisations"
BASE_FILE = DATA / "tra-vinh.yaml"
CHANGES_FILE = DATA / "2025-vinh-long.yaml"
REORGANISED = datetime.date(2025, 7, 1)
LAST_OLD_DAY = REORGANISED - datetime.timedelta(days=1)
CHANGE_KINDS = {"merge", "split", "rename", "move", "close"}


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def files() -> list[dict]:
    return [read(BASE_FILE), read(CHANGES_FILE)]


@pytest.fixture(scope="module")
def organisations(files) -> dict[str, dict]:
    return {row["code"]: row for data in files for row in data.get("organisations", [])}


@pytest.fixture(scope="module")
def changes(files) -> list[dict]:
    return [change for data in files for change in data.get("changes", [])]


def active_on(row: dict, day: datetime.date) -> bool:
    return (row.get("valid_from") or day) <= day <= (row.get("valid_to") or day)


def codes_of(value) -> list[str]:
    """A change names organisations as a code, a list of codes, or an inline mapping."""
    if value is None:
        return []
    if isinstance(value, list):
        return [code for item in value for code in codes_of(item)]
    if isinstance(value, dict):
        return [value["code"]]
    return [value]


def test_every_code_is_unique_across_the_files(files):
    codes = Counter(row["code"] for data in files for row in data.get("organisations", []))
    assert [code for code, seen in codes.items() if seen > 1] == []


def test_every_parent_and_successor_is_defined(organisations):
    missing = [
        (code, field, row[field])
        for code, row in organisations.items()
        for field in ("parent", "successor")
        if row.get(field) and row[field] not in organisations
    ]
    assert missing == []


def test_every_code_a_change_names_is_defined(changes, organisations):
    missing = [
        (change["key"], code)
        for change in changes
        for field in ("from", "into", "heir", "organisation", "successor", "parent")
        for code in codes_of(change.get(field))
        if code not in organisations
    ]
    assert missing == []


def test_every_change_has_a_unique_key_a_kind_and_a_decision_number(changes):
    keys = Counter(change.get("key") for change in changes)
    assert None not in keys
    assert [key for key, seen in keys.items() if seen > 1] == []
    assert {change["kind"] for change in changes} <= CHANGE_KINDS
    assert [c["key"] for c in changes if not (c.get("decision") or {}).get("number")] == []


def test_dates_are_ordered(organisations, changes):
    for code, row in organisations.items():
        if row.get("valid_from") and row.get("valid_to"):
            assert row["valid_from"] <= row["valid_to"], code
        if row.get("successor"):
            # A successor exists by the day after its predecessor's last day.
            start = organisations[row["successor"]].get("valid_from")
            assert start is None or start <= row["valid_to"] + datetime.timedelta(days=1), code
    effective = [change["effective"] for change in changes]
    assert effective == sorted(effective)
    for change in changes:
        for code in codes_of(change.get("from")) + codes_of(change.get("organisation")):
            start = organisations[code].get("valid_from")
            assert start is None or start < change["effective"], (change["key"], code)
        for code in codes_of(change.get("into")) + codes_of(change.get("successor")):
            start = organisations[code].get("valid_from")
            assert start is None or start <= change["effective"], (change["key"], code)


def test_tra_vinh_has_nine_district_committees_and_104_communes_before_the_reorganisation(
    organisations,
):
    districts = [
        code
        for code, row in organisations.items()
        if row["kind"] == "district_committee" and row.get("parent") == "TV-TU"
    ]
    assert len(districts) == 9
    communes = [
        row
        for row in organisations.values()
        if row["kind"] == "grassroots"
        and row.get("parent") in districts
        and active_on(row, LAST_OLD_DAY)
    ]
    kinds = Counter(row["name"].removeprefix("Đảng ủy ").split(" ")[0] for row in communes)
    assert len(communes) == 104
    assert kinds == {"xã": 85, "Phường": 9, "thị": 10}
    # Before 1 January 2025 thành phố Trà Vinh still had Phường 2 and Phường 6.
    assert sum(active_on(row, datetime.date(2024, 12, 31)) for row in communes) == 104
    assert organisations["TV-TPTV-P2"]["successor"] == "TV-TPTV-P3"


def test_the_communes_regroup_into_41_commune_committees_under_the_new_province(
    organisations, changes
):
    new = {code: row for code, row in organisations.items() if row["kind"] == "commune_committee"}
    assert len(new) == 41
    assert {row["parent"] for row in new.values()} == {"VL-TU"}
    kinds = Counter(row["name"].removeprefix("Đảng ủy ").split(" ")[0] for row in new.values())
    assert kinds == {"xã": 35, "phường": 6}

    old = {
        code
        for code, row in organisations.items()
        if row["kind"] == "grassroots" and active_on(row, LAST_OLD_DAY)
    }
    regrouped = Counter(
        code
        for change in changes
        if set(codes_of(change.get("into")) + codes_of(change.get("successor"))) & set(new)
        for code in codes_of(change.get("from")) + codes_of(change.get("organisation"))
    )
    # Every old commune committee goes to exactly one new one, and every new one is reached.
    assert set(regrouped) == old
    assert max(regrouped.values()) == 1
    targets = {
        code
        for change in changes
        for code in codes_of(change.get("into")) + codes_of(change.get("successor"))
    }
    assert set(new) <= targets


def test_the_district_committees_close_and_the_provinces_merge(organisations, changes):
    closed = {change["organisation"] for change in changes if change["kind"] == "close"}
    districts = {code for code, row in organisations.items() if row["kind"] == "district_committee"}
    assert districts <= closed
    merge = next(change for change in changes if change["key"] == "2025-vl-merge-provinces")
    assert (merge["from"], merge["into"], merge["effective"]) == (["TV-TU"], "VL-TU", REORGANISED)
