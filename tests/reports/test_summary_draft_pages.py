"""The yearly summary's draft page: who reads and edits it, what it shows, and the Word
file built from what was edited."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from docx import Document

from organisations.models import Organisation
from reports.models import (
    AnnualReport,
    Contribution,
    ContributionPart,
    ContributionStatus,
    DraftPart,
    SummaryDraft,
)
from reports.summary.services import draft_open, draft_part_save, draft_regenerate
from tasks.models import Task
from tests.reports import test_summary as base
from tests.reports.test_summary import add_organisations_with_reports, build, paragraphs

# The summary's world (2025 and 2026, three units) and its settings, shared.
year, media, office = base.year, base.media, base.office


def url(cycle) -> str:
    return reverse("reports:draft_detail", args=[cycle.pk])


def save_url(part) -> str:
    return reverse("reports:draft_part_save", args=[part.draft.cycle_id, part.pk])


def test_a_reviewer_opens_the_draft_with_every_part_editable(year, client_for, reviewer):
    cycle = year["cycle"]
    response = client_for(reviewer).get(url(cycle))
    assert response.status_code == 200
    draft = SummaryDraft.objects.get(cycle=cycle)
    assert draft.created_by == reviewer
    page = response.content.decode()
    for part in draft.parts.all():
        assert f'id="phan-{part.key}"' in page
        assert f'id="noi-dung-{part.key}"' in page
    assert "Cập nhật số liệu" in page
    assert "data-confirm=" in page
    # Ban Tổ chức's own part says what to write, in the editor only.
    assert "Phần này để Ban Tổ chức tự viết kiến nghị" in page
    # The sources beside task 1: the unit's passage and a link to its section.
    link = reverse("reports:report_detail", args=[year["hcl"].pk]) + "#nhiem-vu-1"
    assert f'href="{link}"' in page


def test_the_summary_page_links_to_the_draft(year, client_for, leader):
    page = client_for(leader).get(reverse("reports:summary_detail", args=[year["cycle"].pk]))
    assert f'href="{url(year["cycle"])}"' in page.content.decode()


def test_a_leader_reads_the_draft_but_cannot_change_it(year, client_for, leader):
    cycle = year["cycle"]
    client = client_for(leader)
    page = client.get(url(cycle)).content.decode()
    assert "<textarea" not in page
    assert "Cập nhật số liệu" not in page
    part = SummaryDraft.objects.get(cycle=cycle).parts.get(key="task-1")
    response = client.post(save_url(part), {"text": "x", "base_version": 1})
    assert response.status_code == 403
    regenerate = reverse("reports:draft_regenerate", args=[cycle.pk])
    assert client.post(regenerate).status_code == 403
    part.refresh_from_db()
    assert part.version == 1


@pytest.mark.parametrize(
    ("persona", "status"), [("reporter", 403), ("district_reviewer", 403), ("outsider", 404)]
)
def test_others_cannot_see_the_draft(request, year, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url(year["cycle"])).status_code == status


def test_saving_a_part_from_the_page_keeps_who_and_when(year, client_for, reviewer):
    client = client_for(reviewer)
    client.get(url(year["cycle"]))
    part = DraftPart.objects.get(draft__cycle=year["cycle"], key="task-2")
    response = client.post(save_url(part), {"text": "Nhiệm vụ 2 do Ban viết.", "base_version": 1})
    assert response.status_code == 302
    assert response["Location"].endswith("#phan-task-2")
    part.refresh_from_db()
    assert (part.text, part.edited_by, part.version) == ("Nhiệm vụ 2 do Ban viết.", reviewer, 2)
    page = client.get(url(year["cycle"])).content.decode()
    assert "Đã sửa bởi reviewer lúc" in page


def test_two_people_saving_at_once_the_second_keeps_their_text_on_the_page(
    year, client_for, reviewer
):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    part = draft.parts.get(key="task-2")
    draft_part_save(part=part, text="Người thứ nhất đã lưu", base_version=1, actor=reviewer)

    response = client_for(reviewer).post(
        save_url(part), {"text": "Người thứ hai viết dở", "base_version": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "CHƯA được lưu" in page
    assert ">Người thứ hai viết dở</textarea>" in page
    assert "Người thứ nhất đã lưu" in page  # the current text, to compare
    assert 'name="base_version" value="2"' in page  # a second save goes over it knowingly
    part.refresh_from_db()
    assert part.text == "Người thứ nhất đã lưu"


def test_a_pending_new_text_is_shown_as_a_difference_with_both_choices(year, client_for, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    part = draft.parts.get(key="proposals")
    draft_part_save(part=part, text="Của Ban Tổ chức", base_version=1, actor=reviewer)
    AnnualReport.objects.filter(pk=year["hcl"].pk).update(proposals="Đề nghị mới.")
    draft_regenerate(draft=draft, actor=reviewer)

    client = client_for(reviewer)
    page = client.get(url(year["cycle"])).content.decode()
    assert '<del class="text-danger">- Của Ban Tổ chức</del>' in page
    assert '<ins class="text-success">+ - Huyện ủy Càng Long: Đề nghị mới.</ins>' in page
    assert "Dùng bản mới" in page
    assert "Giữ bản đã sửa" in page

    resolve = reverse("reports:draft_part_resolve", args=[year["cycle"].pk, part.pk])
    assert client.post(resolve, {"choice": "keep", "base_version": 2}).status_code == 302
    part.refresh_from_db()
    assert (part.text, part.pending) == ("Của Ban Tổ chức", None)


def test_restoring_from_the_page(year, client_for, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    part = draft.parts.get(key="task-2")
    original = part.text
    draft_part_save(part=part, text="Sửa nhầm", base_version=1, actor=reviewer)
    restore = reverse("reports:draft_part_restore", args=[year["cycle"].pk, part.pk, 1])
    assert client_for(reviewer).post(restore, {"base_version": 2}).status_code == 302
    part.refresh_from_db()
    assert (part.text, part.version) == (original, 3)


def test_regenerating_from_the_page_keeps_the_edit(year, client_for, reviewer):
    client = client_for(reviewer)
    client.get(url(year["cycle"]))
    part = DraftPart.objects.get(draft__cycle=year["cycle"], key="task-2")
    client.post(save_url(part), {"text": "Giữ nguyên đoạn này", "base_version": 1})
    response = client.post(reverse("reports:draft_regenerate", args=[year["cycle"].pk]))
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.text == "Giữ nguyên đoạn này"


def test_the_draft_page_reads_the_same_number_of_queries_for_few_and_many_reports(
    year, client_for, reviewer, django_assert_max_num_queries
):
    cycle = year["cycle"]
    client = client_for(reviewer)
    client.get(url(cycle))  # composes the draft
    client.get(url(cycle))  # and the session, the menu's caches, are warm
    with django_assert_max_num_queries(18) as few:
        assert client.get(url(cycle)).status_code == 200
    add_organisations_with_reports(cycle, 60)
    draft_regenerate(draft=SummaryDraft.objects.get(cycle=cycle), actor=reviewer)
    with django_assert_max_num_queries(18) as many:
        assert client.get(url(cycle)).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_word_file_is_built_from_the_edited_draft(year, client_for, reviewer):
    cycle = year["cycle"]
    draft = draft_open(cycle=cycle, actor=reviewer)
    part = draft.parts.get(key="task-2")
    draft_part_save(
        part=part, text="Đoạn Ban Tổ chức viết lại.\nDòng thứ hai.", base_version=1,
        actor=reviewer,
    )  # fmt: skip
    own = draft.parts.get(key="recommendations")
    draft_part_save(part=own, text="Đề nghị Ban Thường vụ chỉ đạo.", base_version=1, actor=reviewer)

    texts = paragraphs(build(cycle, reviewer))
    heading = texts.index(part.heading)
    assert texts[heading + 1 : heading + 3] == ["Đoạn Ban Tổ chức viết lại.", "Dòng thứ hai."]
    assert not any("Càng Long mở 12 lớp bồi dưỡng nhiệm vụ 2" in text for text in texts)
    mine = texts.index("3. Kiến nghị, đề xuất của Ban Tổ chức")
    assert texts[mine + 1] == "Đề nghị Ban Thường vụ chỉ đạo."
    # The sections in the Party's order, each once.
    sections = [text for text in texts if text[:3] in ("I. ", "II.", "III", "IV.")]
    assert sections == [
        "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT, TRIỂN KHAI THỰC HIỆN",
        "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ",
        "III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ, ĐỀ XUẤT",
    ]
    # Task 2's figures table follows its part.
    document = Document(build(cycle, reviewer).docx.path)
    assert len(document.tables) == 2 + 7  # header, closing, one table per task


def test_the_build_composes_a_draft_when_nobody_opened_one(year, reviewer):
    cycle = year["cycle"]
    assert not SummaryDraft.objects.filter(cycle=cycle).exists()
    summary = build(cycle, None)
    assert summary.status == "done", summary.error
    draft = SummaryDraft.objects.get(cycle=cycle)
    assert draft.created_by is None
    assert draft.parts.count() == 2 + 7 + 4


def test_contributions_sent_appear_beside_the_part_they_concern(year, client_for, reviewer):
    cycle = year["cycle"]
    task_two = Task.objects.get(plan=cycle.plan, number=2)
    body = Organisation.objects.get(code="TV-BTG")
    sent = Contribution.objects.create(
        cycle=cycle, organisation=body, status=ContributionStatus.SENT, sent_at=timezone.now()
    )
    ContributionPart.objects.create(contribution=sent, task=task_two, text="Góp ý nhiệm vụ hai")
    ContributionPart.objects.create(contribution=sent, task=None, text="Góp ý chung")
    other = Organisation.objects.get(code="TV-BDV")
    unsent = Contribution.objects.create(cycle=cycle, organisation=other)
    ContributionPart.objects.create(contribution=unsent, task=task_two, text="Chưa gửi đi")

    page = client_for(reviewer).get(url(cycle)).content.decode()

    def part_html(key: str) -> str:
        start = page.index(f'id="phan-{key}"')
        return page[start : page.index("</section>", start)]

    assert "Góp ý nhiệm vụ hai" in part_html("task-2")
    assert "Góp ý nhiệm vụ hai" not in part_html("task-1")
    assert "Góp ý chung" in part_html("leadership")
    assert "Góp ý chung" in part_html("recommendations")
    assert "Chưa gửi đi" not in page


def test_a_version_number_past_the_database_range_is_refused(year, client_for, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    part = draft.parts.get(key="task-2")
    client = client_for(reviewer)
    restore = reverse("reports:draft_part_restore", args=[year["cycle"].pk, part.pk, 2**40])
    assert client.post(restore, {"base_version": 1}).status_code == 302
    response = client.post(save_url(part), {"text": "x", "base_version": 2**40})
    assert response.status_code == 302  # refused as a form error
    part.refresh_from_db()
    assert part.version == 1
    messages = [str(m) for m in client.get(url(year["cycle"])).context["messages"]]
    assert "Không tìm thấy phiên bản 1099511627776." in messages


def test_the_page_says_when_reports_arrived_after_the_figures_were_composed(
    year, client_for, reviewer
):
    warning = "số liệu trong dự thảo có thể chưa mới"
    cycle = year["cycle"]
    with time_machine.travel(base.BUILT, tick=False):
        client = client_for(reviewer)
        assert warning not in client.get(url(cycle)).content.decode()
        accepted = base.BUILT + dt.timedelta(minutes=30)
    AnnualReport.objects.filter(pk=year["btg"].pk).update(accepted_at=accepted)
    with time_machine.travel(accepted + dt.timedelta(minutes=30), tick=False):
        assert warning in client.get(url(cycle)).content.decode()
        client.post(reverse("reports:draft_regenerate", args=[cycle.pk]))
        assert warning not in client.get(url(cycle)).content.decode()


def test_an_edit_survives_a_build_that_counts_other_reports(year, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    part = draft.parts.get(key="task-1")
    draft_part_save(part=part, text="Giữ qua mọi lần lập", base_version=1, actor=reviewer)
    texts = paragraphs(build(year["cycle"], reviewer, include_submitted=True))
    assert texts[texts.index(part.heading) + 1] == "Giữ qua mọi lần lập"
    part.refresh_from_db()
    # The composed text now counts Khối Cơ quan's submitted report; it waits beside.
    assert "Khối Cơ quan biên soạn tài liệu nhiệm vụ 1" in part.pending
