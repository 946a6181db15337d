"""Each persona's home page says what waits for them, with counts and one link each, in
a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from organisations.models import Organisation
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, ReportStatus, SummaryStatus, YearlySummary
from reports.services.reports import report_return
from reports.summary.services import draft_open
from tests.reports.factories import make_cycle, make_report, province_pk, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
AFTER_DUE = dt.datetime(2026, 12, 20, 9, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


@pytest.fixture
def handed_in(cycle, organisations, reporter, other_reporter):
    """Cầu Kè submitted before the due date; Càng Long has a draft."""
    submitted_report(
        cycle, organisations["TV-HCK"], other_reporter, when=dt.datetime(2026, 12, 1, tzinfo=ZONE)
    )
    return make_report(cycle, organisations["TV-HCL"], reporter)


def home(client_for, user):
    # Signed in at the travelled-to time, or the session would have expired.
    with time_machine.travel(AFTER_DUE, tick=False):
        response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response


def item_of(response):
    (item,) = response.context["overseen"]
    return item


def test_province_reviewer_sees_reports_to_review_late_units_rates_and_links(
    client_for, reviewer, cycle, handed_in
):
    response = home(client_for, reviewer)
    item = item_of(response)
    with time_machine.travel(AFTER_DUE, tick=False):
        figures = cycle_figures(cycle, item.node)
    assert item.reviews
    assert item.to_review == 1
    assert item.late == figures.expected - 1  # every unit but Cầu Kè
    assert item.figures.actual == 1
    html = response.content.decode()
    assert "Thẩm định báo cáo" in html
    assert f"{reverse('reports:inbox')}?cycle={cycle.pk}&amp;status=submitted" in html
    assert f"{reverse('reports:dashboard', args=[cycle.pk])}?trang_thai=missing" in html
    assert reverse("reports:rollup", args=[cycle.plan.code]) in html
    assert reverse("reports:summary_detail", args=[cycle.pk]) in html
    assert "Chưa lập" in html
    assert f"({figures.actual}/{figures.expected})" in html


def test_leader_reads_the_province_with_the_latest_summary_and_its_draft(
    client_for, leader, reviewer, cycle, handed_in
):
    YearlySummary.objects.create(cycle=cycle, status=SummaryStatus.DONE, progress=100)
    draft_open(cycle=cycle, actor=reviewer, include_submitted=False)
    response = home(client_for, leader)
    item = item_of(response)
    assert not item.reviews
    assert item.node.top
    assert item.summary.has_draft
    html = response.content.decode()
    assert "Tổng hợp toàn tỉnh" in html
    assert "Báo cáo chờ Ban Tổ chức xem xét" in html
    assert "Báo cáo tổng hợp năm 2026" in html
    assert reverse("reports:draft_detail", args=[cycle.pk]) in html
    assert "Hoàn thành" in html


def test_district_reviewer_sees_its_own_level_and_no_provincial_summary(
    client_for, district_reviewer, cycle, grassroots_reporter, organisations
):
    submitted_report(
        cycle,
        organisations["TV-HCL-XANTRUONG"],
        grassroots_reporter,
        when=dt.datetime(2026, 11, 20, tzinfo=ZONE),
    )
    response = home(client_for, district_reviewer)
    item = item_of(response)
    assert item.node.organisation.code == "TV-HCL"
    assert item.reviews
    assert item.to_review == 1
    assert item.summary is None
    assert "?don_vi=TV-HCL" in response.content.decode()


def test_administrator_sees_the_province(client_for, admin_user, cycle, handed_in):
    item = item_of(home(client_for, admin_user))
    assert item.node.top
    assert item.to_review == 1


def test_reporter_is_told_how_many_reports_came_back(
    client_for, reporter, reviewer, cycle, organisations
):
    report = submitted_report(
        cycle, organisations["TV-HCL"], reporter, when=dt.datetime(2026, 12, 1, tzinfo=ZONE)
    )
    report_return(report=report, comment="Bổ sung số liệu", section_comments={}, actor=reviewer)
    response = home(client_for, reporter)
    assert response.context["returned"] == 1
    assert "1 báo cáo bị trả lại đang chờ đơn vị sửa và gửi lại." in response.content.decode()
    assert response.context["overseen"] == []


def test_overseer_with_no_cycle_still_gets_a_way_in(client_for, reviewer, leader):
    assert "Thẩm định báo cáo" in client_for(reviewer).get(reverse("home")).content.decode()
    assert "Tổng hợp toàn tỉnh" in client_for(leader).get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "leader", "district_reviewer"])
def test_home_query_count_is_the_same_at_a_few_and_many_units(
    request, client_for, cycle, handed_in, persona, django_assert_max_num_queries
):
    with time_machine.travel(AFTER_DUE, tick=False):
        client = client_for(request.getfixturevalue(persona))
        with django_assert_max_num_queries(40) as small:
            client.get(reverse("home"))
        province = province_pk()
        district = Organisation.objects.get(code="TV-HCL")
        for parent, kind in ((province, "district_committee"), (district.pk, "grassroots")):
            added = Organisation.objects.bulk_create(
                Organisation(
                    code=f"Z-{parent}-{i}", name=f"Đơn vị {i}", kind=kind, parent_id=parent
                )
                for i in range(150)
            )
            AnnualReport.objects.bulk_create(
                AnnualReport(
                    cycle=cycle,
                    organisation=o,
                    reports_to_id=parent,
                    status=ReportStatus.SUBMITTED,
                    first_submitted_at=AFTER_DUE,
                    last_submitted_at=AFTER_DUE,
                    submission_count=1,
                )
                for o in added[::3]
            )
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(reverse("home"))
    assert item_of(response).to_review >= 50
