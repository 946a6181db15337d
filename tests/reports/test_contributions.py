"""Contributions to the provincial report: the contributor writes and sends its words on
its own tasks; Ban Tổ chức of the top committee lists who was asked, who sent, who is
late; nobody else sees any of it; and no contribution ever enters a rate."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from reports.contributions import Standing, contribution_rows
from reports.figures.definitions import cycle_figures
from reports.models import Contribution, ContributionStatus
from reports.services import ServiceError
from reports.services.contributions import (
    ContributionConflict,
    contribution_save,
    contribution_send,
)
from tasks.selectors import contributors_on
from tests.reports.factories import make_cycle

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def btg(cycle):
    return next(
        a for a in contributors_on(cycle.plan, cycle.period_end) if a.organisation.code == "TV-BTG"
    )


def edit_url(cycle, code="TV-BTG"):
    return reverse("reports:contribution_edit", args=[cycle.pk, code])


def detail_url(cycle, code="TV-BTG"):
    return reverse("reports:contribution_detail", args=[cycle.pk, code])


def list_url(cycle):
    return reverse("reports:contribution_list", args=[cycle.pk])


def save(cycle, actor, texts, version=0):
    asked = btg(cycle)
    return contribution_save(
        cycle=cycle, organisation=asked.organisation, to=asked.to, tasks=list(asked.tasks),
        texts=texts, version=version, actor=actor,
    )  # fmt: skip


def task_pk(plan, number):
    return plan.tasks.get(number=number).pk


# Services ---------------------------------------------------------------------------------


def test_a_contribution_keeps_only_the_contributors_own_tasks(cycle, plan, body_reporter):
    saved = save(
        cycle, body_reporter,
        {None: "Chung", task_pk(plan, 1): "Về nhiệm vụ 1", task_pk(plan, 7): "Không phải của tôi"},
    )  # fmt: skip
    parts = {p.task.number if p.task else None: p.text for p in saved.parts.all()}
    assert parts == {None: "Chung", 1: "Về nhiệm vụ 1"}
    assert saved.addressed_to.code == "TV-BTC"
    assert (saved.status, saved.version) == (ContributionStatus.DRAFT, 1)


def test_a_stale_save_is_refused_with_a_clear_message(cycle, plan, body_reporter, reviewer):
    first = save(cycle, body_reporter, {None: "Bản đầu"})
    second = save(cycle, body_reporter, {None: "Bản hai"}, version=first.version)
    with pytest.raises(ContributionConflict, match="CHƯA được lưu") as excinfo:
        save(cycle, body_reporter, {None: "Bản cũ"}, version=first.version)
    assert "body-reporter" in str(excinfo.value)
    assert Contribution.objects.get(pk=second.pk).parts.get(task=None).text == "Bản hai"


def test_sending_freezes_it_and_an_empty_one_cannot_be_sent(cycle, plan, body_reporter):
    asked = btg(cycle)
    empty = save(cycle, body_reporter, {None: "  "})
    with pytest.raises(ServiceError, match="chưa có nội dung"):
        contribution_send(
            cycle=cycle, organisation=asked.organisation, version=empty.version, actor=body_reporter
        )
    filled = save(
        cycle, body_reporter, {task_pk(plan, 2): "Đã hướng dẫn chuyên đề"}, version=empty.version
    )
    sent = contribution_send(
        cycle=cycle, organisation=asked.organisation, version=filled.version, actor=body_reporter
    )
    assert sent.status == ContributionStatus.SENT
    assert sent.sent_at is not None
    with pytest.raises(ServiceError, match="đã gửi"):
        save(cycle, body_reporter, {None: "Sửa sau khi gửi"}, version=sent.version)


def test_contributions_never_change_the_rates(cycle, plan, body_reporter):
    before = cycle_figures(cycle)
    saved = save(cycle, body_reporter, {None: "Ý kiến"})
    contribution_send(
        cycle=cycle, organisation=saved.organisation, version=saved.version, actor=body_reporter
    )
    assert cycle_figures(cycle) == before
    assert before.expected == 14


# Standing: asked, received, late ----------------------------------------------------------


def test_the_list_says_who_sent_on_time_late_or_not_at_all(
    cycle, plan, body_reporter, organisations
):
    from tests.conftest import make_user

    ubkt_writer = make_user("ubkt", organisation=organisations["TV-UBKT"], role="reporter")
    ubkt = next(
        a for a in contributors_on(plan, cycle.period_end) if a.organisation.code == "TV-UBKT"
    )
    with time_machine.travel(dt.datetime(2026, 12, 10, 9, tzinfo=TZ), tick=False):
        saved = save(cycle, body_reporter, {None: "Đúng hạn"})
        contribution_send(
            cycle=cycle, organisation=saved.organisation, version=saved.version, actor=body_reporter
        )
    with time_machine.travel(dt.datetime(2026, 12, 16, 8, tzinfo=TZ), tick=False):
        late = contribution_save(
            cycle=cycle, organisation=ubkt.organisation, to=ubkt.to, tasks=list(ubkt.tasks),
            texts={task_pk(plan, 7): "Muộn"}, version=0, actor=ubkt_writer,
        )  # fmt: skip
        contribution_send(
            cycle=cycle, organisation=ubkt.organisation, version=late.version, actor=ubkt_writer
        )
        rows = {row.organisation.code: row.standing for row in contribution_rows(cycle)}
    assert rows["TV-BTG"] == Standing.SENT
    assert rows["TV-UBKT"] == Standing.LATE
    assert rows["TV-BDV"] == Standing.OVERDUE  # asked, nothing sent, past the due date
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, tzinfo=TZ), tick=False):
        assert {r.organisation.code: r.standing for r in contribution_rows(cycle)}["TV-BDV"] == (
            Standing.WAITING
        )


# Pages ------------------------------------------------------------------------------------


def test_the_contributor_writes_and_sends_from_its_own_page(client_for, cycle, plan, body_reporter):
    client = client_for(body_reporter)
    home = client.get(reverse("home")).content.decode()
    assert edit_url(cycle) in home
    assert reverse("reports:report_start", args=[cycle.pk, "TV-BTG"]) not in home
    mine = client.get(reverse("reports:contribution_mine"))
    assert edit_url(cycle) in mine.content.decode()
    page = client.get(edit_url(cycle))
    assert page.status_code == 200
    form = page.context["form"]
    assert [name for name in form.fields if name != "version"] == ["t1", "t2", "general"]
    response = client.post(
        edit_url(cycle),
        {"version": 0, "t1": "Nhiệm vụ 1", "t2": "", "general": "Chung", "save": "1"},
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get(cycle=cycle, organisation__code="TV-BTG")
    response = client.post(
        edit_url(cycle),
        {
            "version": contribution.version,
            "t1": "Nhiệm vụ 1, sửa",
            "t2": "",
            "general": "Chung",
            "send": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(cycle)
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.SENT
    # Sent: the edit page only leads to the read-only view.
    assert client.get(edit_url(cycle))["Location"] == detail_url(cycle)


def test_a_stale_form_shows_the_conflict_and_keeps_the_saved_text(client_for, cycle, body_reporter):
    client = client_for(body_reporter)
    client.post(
        edit_url(cycle), {"version": 0, "t1": "Bản đầu", "t2": "", "general": "", "save": "1"}
    )
    client.post(
        edit_url(cycle), {"version": 1, "t1": "Bản hai", "t2": "", "general": "", "save": "1"}
    )
    response = client.post(
        edit_url(cycle), {"version": 1, "t1": "Bản cũ", "t2": "", "general": "", "save": "1"}
    )
    assert response.status_code == 400
    assert "CHƯA được lưu" in response.content.decode()
    assert Contribution.objects.get(cycle=cycle).parts.get(task__number=1).text == "Bản hai"


def test_control_characters_are_refused(client_for, cycle, body_reporter):
    client = client_for(body_reporter)
    response = client.post(
        edit_url(cycle), {"version": 0, "t1": "Có\x01ký tự", "t2": "", "general": "", "save": "1"}
    )
    assert response.status_code == 400
    assert "ký tự điều khiển" in response.content.decode()
    assert not Contribution.objects.exists()


def test_ban_to_chuc_lists_the_contributions_and_reads_each(
    client_for, cycle, plan, body_reporter, reviewer
):
    saved = save(cycle, body_reporter, {task_pk(plan, 1): "Ý kiến về giáo dục chính trị"})
    contribution_send(
        cycle=cycle, organisation=saved.organisation, version=saved.version, actor=body_reporter
    )
    client = client_for(reviewer)
    assert list_url(cycle) in client.get(cycle.get_absolute_url()).content.decode()
    response = client.get(list_url(cycle))
    assert response.status_code == 200
    rows = {row.organisation.code: row for row in response.context["rows"]}
    assert {"TV-BTG", "TV-UBKT", "TV-BDV", "TV-VPTU", "TV-MTTQ", "TV-HND"} <= set(rows)
    assert "TV-HCL" not in rows
    assert response.context["counts"]["sent"] == 1
    assert detail_url(cycle) in response.content.decode()
    detail = client.get(detail_url(cycle))
    assert "Ý kiến về giáo dục chính trị" in detail.content.decode()
    # Ban Tổ chức reads; it does not write someone else's contribution.
    assert client.get(edit_url(cycle)).status_code == 403


@pytest.mark.parametrize("persona", ["reporter", "leader", "district_reviewer"])
def test_others_cannot_reach_a_contribution(request, client_for, cycle, body_reporter, persona):
    save(cycle, body_reporter, {None: "Nội bộ"})
    client = client_for(request.getfixturevalue(persona))
    assert client.get(detail_url(cycle)).status_code == 404
    assert client.get(edit_url(cycle)).status_code == 404


def test_a_body_the_cycle_does_not_ask_is_not_found(client_for, cycle, reviewer):
    client = client_for(reviewer)
    assert client.get(detail_url(cycle, "TV-HCL")).status_code == 404


def test_the_list_is_for_ban_to_chuc_of_the_top_committee(
    client_for, cycle, leader, body_reporter, outsider
):
    assert client_for(leader).get(list_url(cycle)).status_code == 403
    assert client_for(body_reporter).get(list_url(cycle)).status_code == 403
    assert client_for(outsider).get(list_url(cycle)).status_code == 404


def test_list_queries_do_not_grow_with_contributions(
    client_for, cycle, plan, reviewer, organisations, django_assert_max_num_queries
):
    from organisations.models import Organisation, OrganisationKind

    client = client_for(reviewer)
    client.get(list_url(cycle))
    with django_assert_max_num_queries(20) as few:
        client.get(list_url(cycle))
    for i in range(30):
        Organisation.objects.create(
            code=f"X-DT-{i}", name=f"Đoàn thể {i}", kind=OrganisationKind.MASS_ORGANISATION,
            parent=organisations["TV-TU"],
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url(cycle))
    assert len(response.context["rows"]) > 30


def test_the_menu_offers_contributions_to_who_writes_them_only(
    client_for, body_reporter, reviewer, reporter
):
    link = f'href="{reverse("reports:contribution_mine")}"'
    assert link in client_for(body_reporter).get(reverse("home")).content.decode()
    # Ban Tổ chức's reviewers read the contributions from the cycle, a district writes none.
    assert link not in client_for(reviewer).get(reverse("home")).content.decode()
    assert link not in client_for(reporter).get(reverse("home")).content.decode()
