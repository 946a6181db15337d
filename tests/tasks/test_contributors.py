"""Who reports and who contributes (plan data ``contributors``), and actions split by who
acts: section III.1 of 112-KH/TU obliges the committees to report; duties 2 and 3 ask the
advisory bodies, the Front and the mass organisations to contribute "theo chức năng,
nhiệm vụ" to Ban Tổ chức's yearly report."""

import datetime as dt
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command

from tasks.loaders import plan_load
from tasks.models import Contributor
from tasks.selectors import contributors_on, reporting_scope
from tests.conftest import PLAN_FILE

CHANGES = Path(settings.BASE_DIR) / "data" / "organisations" / "2025-vinh-long.yaml"


def asked(plan, day):
    return {
        c.organisation.code: ([t.number for t in c.tasks], c.to.code)
        for c in contributors_on(plan, day)
    }


def test_contributors_are_out_of_the_reporting_scope(plan, organisations):
    scope = reporting_scope(plan)
    advisory = {organisations[c].pk for c in ("TV-BTG", "TV-UBKT", "TV-BDV", "TV-VPTU", "TV-MTTQ")}
    assert not scope.named & advisory
    assert "mass_organisation" not in scope.kinds
    assert scope.kinds == {
        "district_committee", "affiliated_committee", "grassroots", "commune_committee", "cell"
    }  # fmt: skip


def test_contributors_load_with_their_tasks_and_addressee(plan, organisations):
    by_code = asked(plan, dt.date(2024, 12, 31))
    assert by_code["TV-BTG"] == ([1, 2], "TV-BTC")
    assert by_code["TV-UBKT"] == ([7], "TV-BTC")
    assert by_code["TV-BDV"] == ([6], "TV-BTC")
    assert by_code["TV-VPTU"] == ([5], "TV-BTC")
    assert by_code["TV-MTTQ"] == ([6], "TV-BTC")
    # The kind selects every mass organisation existing then.
    assert {"TV-LDLD", "TV-HLHPN", "TV-HND", "TV-HCCB", "TV-TDTN"} <= set(by_code)
    assert "TV-BTC" not in by_code
    assert "TV-HCL" not in by_code


def test_second_load_keeps_contributors_as_they_are(plan):
    before = list(Contributor.objects.filter(plan=plan).values_list("pk", flat=True))
    _, stats = plan_load(path=PLAN_FILE)
    assert not stats.changed, stats.details
    assert list(Contributor.objects.filter(plan=plan).values_list("pk", flat=True)) == before


def test_a_removed_contributor_is_deleted(plan, tmp_path):
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    data["contributors"] = [c for c in data["contributors"] if c.get("organisation") != "TV-VPTU"]
    edited = tmp_path / "plan.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan_load(path=edited)
    assert "TV-VPTU" not in asked(plan, dt.date(2024, 12, 31))
    assert "TV-BTG" in asked(plan, dt.date(2024, 12, 31))


def test_after_the_merger_contributors_are_asked_as_their_successors(plan, organisations):
    call_command("load_organisations", str(CHANGES), verbosity=0)
    by_code = asked(plan, dt.date(2025, 12, 31))
    # Ban Tuyên giáo and Ban Dân vận became one body: asked once, on the tasks of both.
    assert by_code["VL-BTGDV"] == ([1, 2, 6], "VL-BTC")
    assert by_code["VL-UBKT"] == ([7], "VL-BTC")
    assert by_code["VL-VPTU"] == ([5], "VL-BTC")
    assert not {"TV-BTG", "TV-BDV", "TV-UBKT", "TV-VPTU"} & set(by_code)
    # The year before is read as it was.
    assert asked(plan, dt.date(2024, 12, 31))["TV-BTG"] == ([1, 2], "TV-BTC")


def test_task_7_puts_the_provinces_action_on_no_district_form(plan, organisations):
    task = plan.tasks.get(number=7)
    actions = list(task.actions.prefetch_related("actors"))
    district = organisations["TV-HCL"]
    province = organisations["TV-BTV"]
    mine = [a.text for a in actions if a.done_by(district)]
    assert not any(text.startswith("Hàng năm, Ban Thường vụ Tỉnh ủy xây dựng") for text in mine)
    assert any("thường xuyên kiểm tra, giám sát chuyên đề" in text for text in mine)
    assert any(text.startswith("Thực hiện kỷ luật nghiêm minh") for text in mine)
    assert [a.position for a in actions if a.done_by(province)] == [1, 3]


def test_indicators_use_the_plans_words(plan):
    names = dict(plan.indicators.values_list("code", "name"))
    assert "người dân tộc được kết nạp" in names["T3_ADMITTED_ETHNIC"]
    assert "thiểu số" not in names["T3_ADMITTED_ETHNIC"]
    assert "ấp, khóm có ít đảng viên" in names["T3_ADMITTED_FEW_MEMBER_HAMLETS"]
    assert not any("chưa có chi bộ" in name for name in names.values())
