import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from organisations.models import Organisation
from tasks.loaders import plan_load
from tasks.models import (
    Document,
    Duty,
    Indicator,
    Plan,
    Purpose,
    ReportingScope,
    Task,
    TaskAction,
    ValidationRule,
)
from tests.conftest import PLAN_FILE

TASK_3_TEXT = (
    "Tiếp tục củng cố, kiện toàn mô hình tổ chức cơ sở đảng gắn với việc sắp xếp, tinh gọn"
    " bộ máy theo các Kế hoạch số 71, 72-KH/TU của Ban Thường vụ Tỉnh ủy về thực hiện Nghị"
    " quyết số 18, 19-NQ/TW của Ban Chấp hành Trung ương Đảng (khóa XII)."
)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Plan,
            Document,
            Purpose,
            Task,
            TaskAction,
            Indicator,
            ValidationRule,
            Duty,
            ReportingScope,
        )
    }


def edited_copy(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_plan_loads_with_its_structure(plan):
    assert plan.number == "112-KH/TU"
    assert plan.issuer.code == "TV-BTV"
    assert plan.signer == "Kim Ngọc Thái"
    assert plan.purposes.count() == 4
    assert plan.tasks.count() == 7
    assert plan.duties.count() == 3
    assert len(plan.recipients) == 7
    assert {d.number for d in plan.basis.all()} == {"38-KL/TW", "22-NQ/TW"}


def test_plan_cites_the_documents_with_their_dates(plan):
    documents = {d.number: d for d in plan.documents.all()}
    for number in (
        "38-KL/TW", "22-NQ/TW", "26-CTr/TU", "11-CTr/TU", "27-KH/TU", "05-CT/TW", "71-KH/TU",
        "72-KH/TU", "18-NQ/TW", "19-NQ/TW", "69-KH/TU", "18-KL/TW", "10-CT/TW", "784-QĐ/TU",
        "3923-QĐ/TU",
    ):  # fmt: skip
        assert number in documents, number
    assert documents["38-KL/TW"].date.isoformat() == "2018-11-13"
    assert documents["784-QĐ/TU"].date.isoformat() == "2016-05-10"
    assert documents["3923-QĐ/TU"].date.isoformat() == "2018-09-24"
    assert documents["26-CTr/TU"].date.isoformat() == "2008-07-14"


def test_task_text_is_transcribed_exactly(plan):
    task = plan.tasks.get(number=3)
    assert task.text.startswith(TASK_3_TEXT)
    assert task.text.endswith("đưa ngay những người không còn đủ tư cách đảng viên ra khỏi Đảng.")
    actions = list(task.actions.values_list("text", flat=True))
    assert actions[0] == TASK_3_TEXT
    assert " ".join(actions) == task.text


def test_every_task_has_actions_and_at_least_three_indicators(plan):
    for task in plan.tasks.all():
        assert task.actions.count() >= 2, task
        assert task.indicators.count() >= 3, task


def test_task_3_counts_admissions_with_part_whole_rules(plan):
    codes = set(plan.indicators.filter(task__number=3).values_list("code", flat=True))
    assert {
        "T3_ADMITTED",
        "T3_ADMITTED_WOMEN",
        "T3_ADMITTED_ETHNIC",
        "T3_ADMITTED_RELIGIOUS",
        "T3_ADMITTED_BUSINESS_OWNERS",
        "T3_REMOVED",
    } <= codes
    women = ValidationRule.objects.get(task__number=3, parts=["T3_ADMITTED_WOMEN"])
    assert women.whole == ["T3_ADMITTED"]
    assert women.holds({"T3_ADMITTED_WOMEN": 3, "T3_ADMITTED": 5}) is True
    assert women.holds({"T3_ADMITTED_WOMEN": 6, "T3_ADMITTED": 5}) is False
    assert women.holds({"T3_ADMITTED": 5}) is None


def test_every_rule_names_indicators_of_the_plan(plan):
    codes = set(plan.indicators.values_list("code", flat=True))
    for rule in plan.rules.all():
        assert rule.codes() <= codes, rule


def test_duties_name_who_leads_and_who_coordinates(plan):
    duty3 = plan.duties.get(number=3)
    leads = [p.organisation.code for p in duty3.participants.filter(role="lead")]
    coordinates = {p.label for p in duty3.participants.filter(role="coordinate")}
    assert leads == ["TV-BTC"]
    assert "Ban Tuyên giáo" in coordinates
    assert "Đoàn thể chính trị - xã hội" in coordinates


def test_second_load_changes_nothing(plan):
    before = counts()
    stamp = Plan.objects.get(pk=plan.pk).updated_at
    _, stats = plan_load(path=PLAN_FILE)
    assert not stats.changed, stats.details
    assert counts() == before
    assert Plan.objects.get(pk=plan.pk).updated_at == stamp


def test_edited_file_updates_in_place(plan, tmp_path):
    task_pk = plan.tasks.get(number=2).pk
    indicator_pk = plan.indicators.get(code="T3_ADMITTED").pk

    def edit(data):
        data["tasks"][1]["title"] = "Tên ngắn mới"
        data["tasks"][2]["indicators"][0]["unit"] = "đảng viên"
        data["tasks"][0]["actions"].append("Một hoạt động mới.")

    _, stats = plan_load(path=edited_copy(tmp_path, edit))
    assert stats.updated == 2
    assert stats.created == 1
    task = Task.objects.get(pk=task_pk)
    assert task.title == "Tên ngắn mới"
    assert Indicator.objects.get(pk=indicator_pk).unit == "đảng viên"
    assert plan.tasks.get(number=1).actions.last().text == "Một hoạt động mới."


def test_removed_items_are_deleted_when_nothing_uses_them(plan, tmp_path):
    def edit(data):
        data["tasks"][2]["rules"] = data["tasks"][2]["rules"][:1]

    before = ValidationRule.objects.filter(task__number=3).count()
    plan_load(path=edited_copy(tmp_path, edit))
    assert before > 1
    assert ValidationRule.objects.filter(task__number=3).count() == 1


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["tasks"][0].pop("title"), "tasks[0]: thiếu trường bắt buộc 'title'"),
        (lambda d: d["tasks"][1].update(number="hai"), "tasks[1].number: phải là số nguyên"),
        (
            lambda d: d["tasks"][2]["rules"][0].update(whole=["KHONG_CO"]),
            "không có chỉ tiêu mã 'KHONG_CO'",
        ),
        (lambda d: d["plan"].update(issuer="TV-XYZ"), "không có tổ chức mã 'TV-XYZ'"),
        (lambda d: d["documents"][0].update(date="13/11/2018"), "phải có dạng YYYY-MM-DD"),
        (
            lambda d: d["tasks"][3]["indicators"][0].update(value_type="chu"),
            "giá trị 'chu' không hợp lệ",
        ),
        (lambda d: d["tasks"][4].update(number=1), "nhiệm vụ số 1 bị lặp"),
    ],
)
def test_malformed_file_is_refused_and_writes_nothing(plan, tmp_path, edit, expected):
    before = counts()
    title = plan.tasks.get(number=1).title

    def break_and_rename(data):
        data["tasks"][0]["title"] = "Không được lưu"
        edit(data)

    path = edited_copy(tmp_path, break_and_rename)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_plan", str(path))
    message = str(excinfo.value)
    assert str(path) in message
    assert expected in message
    assert "dòng" in message  # the line in the file
    assert counts() == before
    assert plan.tasks.get(number=1).title == title


def test_invalid_yaml_names_the_line(plan, tmp_path):
    path = tmp_path / "broken.yaml"
    shutil.copy(PLAN_FILE, path)
    with path.open("a", encoding="utf-8") as f:
        f.write("tasks: [unclosed\n")
    with pytest.raises(CommandError, match=r"broken.yaml, dòng \d+: YAML không hợp lệ"):
        call_command("load_plan", str(path))


def test_missing_file_is_reported(db):
    with pytest.raises(CommandError, match="không tìm thấy tệp"):
        call_command("load_plan", "khong-co.yaml")


def test_plan_needs_organisations_loaded_first(empty_database):
    with pytest.raises(CommandError, match="load_organisations"):
        call_command("load_plan", str(PLAN_FILE))
    assert not Plan.objects.exists()
    assert not Organisation.objects.exists()
