import datetime as dt

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from organisations.loaders import organisations_load
from organisations.models import Organisation, OrganisationKind
from tasks.selectors import organisations_in_scope, tasks_reported_by
from tests.conftest import ORGANISATIONS_FILE

D = dt.date


def test_province_file_loads_every_district_committee(organisations):
    names = set(
        Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COMMITTEE).values_list(
            "name", flat=True
        )
    )
    assert names == {
        "Thành ủy Trà Vinh",
        "Thị ủy Duyên Hải",
        "Huyện ủy Càng Long",
        "Huyện ủy Châu Thành",
        "Huyện ủy Cầu Kè",
        "Huyện ủy Tiểu Cần",
        "Huyện ủy Cầu Ngang",
        "Huyện ủy Trà Cú",
        "Huyện ủy Duyên Hải",
    }
    assert Organisation.objects.filter(kind=OrganisationKind.AFFILIATED_COMMITTEE).count() >= 4
    assert organisations["TV-HCL"].parent == organisations["TV-TU"]
    for code in ("TV-BTV", "TV-TT", "TV-BTC", "TV-BTG", "TV-BDV", "TV-UBKT", "TV-VPTU", "TV-MTTQ"):
        assert code in organisations


def test_second_load_changes_nothing(organisations):
    stats = organisations_load(path=ORGANISATIONS_FILE)
    assert not stats.changed


def test_active_during_respects_validity_dates(empty_database):
    Organisation.objects.create(code="A", name="A", kind="district_committee")
    Organisation.objects.create(
        code="B", name="B", kind="district_committee", valid_to=D(2025, 6, 30)
    )
    Organisation.objects.create(
        code="C", name="C", kind="district_committee", valid_from=D(2025, 7, 1)
    )

    def codes(start, end):
        return set(Organisation.objects.active_during(start, end).values_list("code", flat=True))

    assert codes(D(2024, 1, 1), D(2024, 12, 31)) == {"A", "B"}
    assert codes(D(2025, 1, 1), D(2025, 12, 31)) == {"A", "B", "C"}
    assert codes(D(2026, 1, 1), D(2026, 12, 31)) == {"A", "C"}
    assert Organisation.objects.get(code="B").is_active_on(D(2025, 6, 30))
    assert not Organisation.objects.get(code="B").is_active_on(D(2025, 7, 1))


def test_merger_closes_old_organisations_and_points_at_successor(organisations, tmp_path):
    data = yaml.safe_load(ORGANISATIONS_FILE.read_text(encoding="utf-8"))
    data["organisations"].append(
        {"code": "VL-TU", "name": "Tỉnh ủy Vĩnh Long", "kind": "provincial_committee"}
    )
    for entry in data["organisations"]:
        if entry["code"] in {"TV-TU", "TV-HCL"}:
            entry["valid_to"] = "2025-06-30"
            entry["successor"] = "VL-TU"
    path = tmp_path / "merged.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    organisations_load(path=path)

    old = Organisation.objects.get(code="TV-HCL")
    assert old.valid_to == D(2025, 6, 30)
    assert old.current_successor().code == "VL-TU"
    assert Organisation.objects.get(code="TV-TU").current_successor().code == "VL-TU"
    assert Organisation.objects.count() == len(organisations) + 1  # nothing deleted


def test_successor_requires_an_end_date(organisations, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "organisations:\n  - {code: X1, name: X, kind: cell, successor: TV-TU}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="valid_to"):
        call_command("load_organisations", str(path))
    assert not Organisation.objects.filter(code="X1").exists()


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{code: X1, name: X, kind: nope}", "giá trị 'nope' không hợp lệ"),
        ("{code: X1, kind: cell}", "thiếu trường bắt buộc 'name'"),
        ("{code: X1, name: X, kind: cell, parent: KHONG}", "không có tổ chức mã 'KHONG'"),
        ("{code: X1, name: X, kind: cell, valid_from: 2020-01-02, valid_to: 2019-01-01}", "trước"),
    ],
)
def test_malformed_organisation_file_writes_nothing(empty_database, tmp_path, entry, expected):
    path = tmp_path / "orgs.yaml"
    path.write_text(
        f"organisations:\n  - {{code: OK1, name: Tốt, kind: cell}}\n  - {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("load_organisations", str(path))
    assert expected in str(excinfo.value)
    assert "dòng 3" in str(excinfo.value)
    assert not Organisation.objects.exists()


def test_database_refuses_end_before_start(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            code="X", name="X", kind="cell", valid_from=D(2020, 1, 2), valid_to=D(2020, 1, 1)
        )


def test_database_refuses_successor_of_an_open_organisation(db):
    target = Organisation.objects.create(code="T", name="T", kind="cell")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(code="X", name="X", kind="cell", successor=target)


def test_district_committees_report_on_every_task(plan, organisations):
    assert [t.number for t in tasks_reported_by(plan, organisations["TV-HCL"])] == list(range(1, 8))
    assert [t.number for t in tasks_reported_by(plan, organisations["TV-DUCA"])] == list(
        range(1, 8)
    )


def test_specialised_bodies_report_on_nothing_they_contribute(plan, organisations):
    """Section III.1 obliges the committees to report; the advisory bodies, the Front and
    the mass organisations contribute instead (duties 2 and 3)."""
    scope = organisations_in_scope(
        plan, [organisations[c] for c in ("TV-BTG", "TV-UBKT", "TV-BDV", "TV-HND", "TV-BTC")]
    )
    assert all(tasks == set() for tasks in scope.values())
