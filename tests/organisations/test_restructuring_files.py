import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from organisations.loaders import organisations_load
from organisations.models import (
    ChangeKind,
    Membership,
    Organisation,
    OrganisationChange,
    OrganisationKind,
    Role,
)
from tests.conftest import ORGANISATIONS_FILE, make_user

D = dt.date

MERGE_FILE = """\
source: "Nghị quyết 202/2025/QH15 (thử nghiệm)"
organisations:
  - {code: VL-TU, name: Tỉnh ủy Vĩnh Long, kind: provincial_committee, valid_from: 2025-07-01}
changes:
  - key: 2025-merge-provinces
    kind: merge
    effective: 2025-07-01
    decision: {number: "759/QĐ-BCT", date: 2025-06-30, issuer: "Bộ Chính trị"}
    from: [TV-TU]
    into: VL-TU
  - key: 2025-hcl-hct
    kind: merge
    effective: 2025-07-01
    decision: {number: "12-QĐ/TU"}
    note: "Sắp xếp đơn vị hành chính cấp xã"
    from: [TV-HCL, TV-HCT]
    into: {code: VL-XCL, name: Đảng ủy xã Càng Long, kind: commune_committee, parent: VL-TU}
  - key: 2025-rename-btc
    kind: rename
    effective: 2025-07-01
    decision: {number: "13-QĐ/TU"}
    organisation: TV-BTC
    name: Ban Tổ chức Tỉnh ủy Vĩnh Long
    short_name: Ban Tổ chức
"""


def write(tmp_path, text: str, name: str = "changes.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_file_applies_organisations_then_changes_in_order(organisations, tmp_path):
    make_user("anna", organisation=organisations["TV-HCL"], role=Role.REPORTER)
    stats = organisations_load(path=write(tmp_path, MERGE_FILE))

    new = Organisation.objects.get(code="VL-XCL")
    assert new.kind == OrganisationKind.COMMUNE_COMMITTEE
    assert new.parent.code == "VL-TU"
    assert new.valid_from == D(2025, 7, 1)
    assert Organisation.objects.get(code="TV-HCL").successor == new
    assert Organisation.objects.get(code="TV-TU").current_successor().code == "VL-TU"
    # TV-TU's children active on the day follow it to VL-TU, before the next change
    # merges two of them.
    assert Organisation.objects.get(code="TV-HCK").parent.code == "VL-TU"
    assert Organisation.objects.get(code="TV-HCL").parent.code == "VL-TU"
    assert Membership.objects.get(user__username="anna").organisation == new
    btc = Organisation.objects.get(code="TV-BTC")
    assert btc.name_on(D(2025, 6, 30)) == organisations["TV-BTC"].name
    assert btc.name == "Ban Tổ chức Tỉnh ủy Vĩnh Long"
    change = OrganisationChange.objects.get(key="2025-hcl-hct")
    assert change.note == "Sắp xếp đơn vị hành chính cấp xã"
    assert change.decision_date is None
    assert change.applied_by is None
    assert stats.changed


def test_second_run_changes_nothing_and_says_so(organisations, tmp_path, capsys):
    path = write(tmp_path, MERGE_FILE)
    call_command("load_organisations", str(path))
    before = list(Organisation.objects.order_by("code").values())
    call_command("load_organisations", str(path))
    out = capsys.readouterr().out
    assert "không có thay đổi" in out
    assert "bỏ qua 3 thay đổi đã áp dụng" in out
    assert list(Organisation.objects.order_by("code").values()) == before
    assert OrganisationChange.objects.count() == 3


def test_reloading_the_older_file_does_not_undo_changes(organisations, tmp_path):
    organisations_load(path=write(tmp_path, MERGE_FILE))
    stats = organisations_load(path=ORGANISATIONS_FILE)
    hcl = Organisation.objects.get(code="TV-HCL")
    assert hcl.valid_to == D(2025, 6, 30)
    assert hcl.successor.code == "VL-XCL"
    assert Organisation.objects.get(code="TV-HCK").parent.code == "VL-TU"
    assert Organisation.objects.get(code="TV-BTC").name == "Ban Tổ chức Tỉnh ủy Vĩnh Long"
    assert not stats.changed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("{key: bad, kind: merge, effective: 2025-07-01, decision: {number: X}, from: [TV-HCL],"
         " into: KHONG}", "Không có tổ chức mã “KHONG”"),
        ("{key: bad, kind: split, effective: 2025-07-01, decision: {number: X}, from: TV-HCL,"
         " into: [TV-HCT, TV-HCK], heir: TV-TU}", "phải là một trong"),
        ("{key: bad, kind: rename, effective: 2025-07-01, decision: {number: X},"
         " organisation: TV-HCL}", "thiếu trường bắt buộc 'name'"),
        ("{key: bad, kind: move, effective: 2025-07-01, decision: {}, organisation: TV-HCL,"
         " parent: TV-HCT}", "thiếu trường bắt buộc 'number'"),
        ("{key: bad, kind: fold, effective: 2025-07-01, decision: {number: X}}",
         "giá trị 'fold' không hợp lệ"),
        ("{key: bad, kind: close, effective: 2025-07-01, decision: {number: X},"
         " organisation: TV-HCL, members: stay}", "giá trị 'stay' không hợp lệ"),
        ("{key: 2025-a, kind: close, effective: 2025-07-01, decision: {number: X},"
         " organisation: TV-HCK}", "khóa '2025-a' bị lặp"),
    ],
)  # fmt: skip
def test_a_bad_change_refuses_the_whole_file(organisations, tmp_path, change, message):
    path = write(
        tmp_path,
        "organisations:\n"
        "  - {code: NEW1, name: Mới, kind: cell}\n"
        "changes:\n"
        "  - {key: 2025-a, kind: close, effective: 2025-07-01, decision: {number: X},"
        " organisation: TV-DUKDN}\n"
        f"  - {change}\n",
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("load_organisations", str(path))
    text = str(excinfo.value)
    assert message in text
    assert str(path) in text
    assert "dòng 5" in text
    assert "changes[1]" in text
    assert not Organisation.objects.filter(code="NEW1").exists()
    assert Organisation.objects.get(code="TV-DUKDN").valid_to is None
    assert not OrganisationChange.objects.exists()


def test_error_names_the_change_key(organisations, tmp_path):
    path = write(
        tmp_path,
        "changes:\n"
        "  - {key: 2025-twice, kind: close, effective: 2025-07-01, decision: {number: X},"
        " organisation: TV-DUKDN}\n"
        "  - {key: 2025-again, kind: close, effective: 2025-08-01, decision: {number: X},"
        " organisation: TV-DUKDN}\n",
    )
    with pytest.raises(CommandError, match=r"dòng 3.*thay đổi '2025-again'.*đã kết thúc"):
        call_command("load_organisations", str(path))
    assert Organisation.objects.get(code="TV-DUKDN").valid_to is None


def _many_merges(tmp_path, count: int):
    top = Organisation.objects.create(code="P", name="Tỉnh ủy P", kind="provincial_committee")
    Organisation.objects.bulk_create(
        [
            Organisation(code=f"X{i:05d}", name=f"Đảng ủy xã {i}", kind="grassroots", parent=top)
            for i in range(2 * count)
        ]
    )
    people = [make_user(f"u{i}") for i in range(min(count, 50))]
    rows = {o.code: o for o in Organisation.objects.filter(code__startswith="X")}
    Membership.objects.bulk_create(
        [
            Membership(user=person, organisation=rows[f"X{2 * i:05d}"], role=Role.REPORTER)
            for i, person in enumerate(people)
        ]
    )
    lines = ["changes:"]
    for i in range(count):
        lines.append(
            f"  - {{key: m{i}, kind: merge, effective: 2025-07-01, decision: {{number: Q{i}}},"
            f" from: [X{2 * i:05d}, X{2 * i + 1:05d}], into: {{code: N{i:05d},"
            f" name: Đảng ủy xã mới {i}, kind: commune_committee, parent: P}}}}"
        )
    return write(tmp_path, "\n".join(lines) + "\n", f"merges-{count}.yaml")


@pytest.mark.parametrize("count", [5, 1000])
def test_many_merges_cost_the_same_queries(db, tmp_path, count, django_assert_max_num_queries):
    if count > 5 and connection.vendor == "sqlite":
        pytest.skip("SQLite splits bulk writes into batches of its parameter limit")
    path = _many_merges(tmp_path, count)
    with django_assert_max_num_queries(20):
        stats = organisations_load(path=path)
    assert OrganisationChange.objects.filter(kind=ChangeKind.MERGE).count() == count
    assert stats.created == 2 * count
    last = Organisation.objects.get(code=f"X{2 * count - 1:05d}")
    assert last.successor.code == f"N{count - 1:05d}"
    assert Membership.objects.filter(organisation__code__startswith="N").count() == min(count, 50)
