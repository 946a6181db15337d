"""Two people editing one draft: a save from an older version is merged field by field,
nothing either of them saved disappears unless the one saving saw it and chose to replace
it, and a form posted twice is answered truthfully."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from organisations.models import Role
from reports.figures.content import ReportContent, SectionContent, fingerprint, merge
from reports.models import EventKind, ReportStatus
from reports.services import ConcurrentEdit
from reports.services import reports as report_services
from reports.services.reports import report_save
from tests.conftest import make_user
from tests.reports.factories import full_content, make_cycle, make_report

# What each kind of field looks like on the form, and two different new values for it.
KINDS = {
    "text part": ("s2-causes", "Nguyên nhân do A viết", "Nguyên nhân do B viết"),
    "level": ("s3-level", "fair", "average"),
    "figure": ("i-T3_ADMITTED", "41", "57"),
    "overall assessment": ("overall_assessment", "Đánh giá của A", "Đánh giá của B"),
    "proposals": ("proposals", "Kiến nghị của A", "Kiến nghị của B"),
    "signer name": ("signer_name", "Trần Thị A", "Lê Văn B"),
    "signer position": ("signer_position", "Phó Bí thư", "Chánh Văn phòng"),
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report(plan, reviewer, reporter, organisations):
    report = make_report(make_cycle(plan, reviewer), organisations["TV-HCL"], reporter)
    # A half-written draft both people go on with.
    content = full_content(report)
    content.figures = dict.fromkeys(content.figures)
    return report_save(report=report, content=content, version=report.version, actor=reporter)


@pytest.fixture
def colleague(organisations):
    return make_user("colleague", organisation=organisations["TV-HCL"], role=Role.REPORTER)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(report) -> str:
    return reverse("reports:report_edit", args=[report.pk])


def page_data(response) -> dict[str, str]:
    """What the browser posts back from this page of the edit form, as it was shown."""
    form = response.context["form"]
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else str(value)
    for row in response.context["conflict_rows"] or []:
        data[f"mine-{row.key}"] = row.mine
    return data


def opened(user, report) -> tuple[Client, dict[str, str]]:
    client = browser(user)
    response = client.get(edit_url(report))
    assert response.status_code == 200
    return client, page_data(response)


def saved(report, key: str) -> str:
    """A field of the report as it is stored, in the form's spelling."""
    report.refresh_from_db()
    if key.startswith("i-"):
        value = report.values.get(indicator__code=key.removeprefix("i-")).value
        return "" if value is None else str(int(value))
    if key.startswith("s") and "-" in key:
        number, part = key.removeprefix("s").split("-", 1)
        return getattr(report.sections.get(task__number=int(number)), part)
    return getattr(report, key)


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# Changes to different fields: both kept, no question asked -------------------------------


def test_changes_to_different_fields_are_both_kept_in_one_save(report, reporter, colleague):
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    assert a.post(edit_url(report), a_page | {"s1-results": "Kết quả A lưu"}).status_code == 302
    response = b.post(edit_url(report), b_page | {"s1-limitations": "Hạn chế B lưu"})
    assert response.status_code == 302
    assert saved(report, "s1-results") == "Kết quả A lưu"
    assert saved(report, "s1-limitations") == "Hạn chế B lưu"
    message = said(response)
    assert "Đã lưu; đồng thời giữ các thay đổi của reporter" in message
    assert "Nhiệm vụ 1 — Kết quả đạt được" in message
    assert "CHƯA" not in message


def test_changes_to_different_fields_are_all_kept_over_overlapping_saves(
    report, reporter, colleague
):
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    a.post(edit_url(report), a_page | {"s1-results": "Kết quả A lưu"})
    a_page = page_data(a.get(edit_url(report)))  # A goes on from what she saved
    assert b.post(edit_url(report), b_page | {"s1-limitations": "Hạn chế B lưu"}).status_code == 302
    # A's page is now one version behind B's save.
    assert a.post(edit_url(report), a_page | {"s1-causes": "Nguyên nhân A lưu"}).status_code == 302
    assert saved(report, "s1-results") == "Kết quả A lưu"
    assert saved(report, "s1-limitations") == "Hạn chế B lưu"
    assert saved(report, "s1-causes") == "Nguyên nhân A lưu"
    assert report.events.filter(kind=EventKind.SAVED).count() == 4


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_field_changed_by_one_side_only_is_kept(report, reporter, colleague, kind):
    key, theirs, _ = KINDS[kind]
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    a.post(edit_url(report), a_page | {key: theirs})
    response = b.post(edit_url(report), b_page | {"s1-limitations": "Hạn chế B lưu"})
    assert response.status_code == 302
    assert saved(report, key) == theirs
    assert saved(report, "s1-limitations") == "Hạn chế B lưu"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_field_changed_by_the_later_saver_only_is_kept(
    report, reporter, colleague, kind
):
    key, _, mine = KINDS[kind]
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    a.post(edit_url(report), a_page | {"s1-results": "Kết quả A lưu"})
    assert b.post(edit_url(report), b_page | {key: mine}).status_code == 302
    assert saved(report, key) == mine
    assert saved(report, "s1-results") == "Kết quả A lưu"


def test_the_same_stale_form_saved_twice_keeps_the_other_persons_text(report, reporter, colleague):
    """The reported case: A saves results, B saves limitations, then B presses Save again
    on the page she had; A's results used to be overwritten."""
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    a.post(edit_url(report), a_page | {"s1-results": "Kết quả A lưu"})
    b_post = b_page | {"s1-limitations": "Hạn chế B lưu"}
    for _ in range(2):
        assert b.post(edit_url(report), b_post).status_code == 302
        assert saved(report, "s1-results") == "Kết quả A lưu"
        assert saved(report, "s1-limitations") == "Hạn chế B lưu"


# Changes to the same field: shown side by side, the later saver chooses ------------------


def conflict_page(report, reporter, colleague, key, theirs, mine, **other_changes):
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    a.post(edit_url(report), a_page | {key: theirs, "s1-results": "Kết quả A lưu"})
    response = b.post(edit_url(report), b_page | {key: mine, **other_changes})
    return b, response


@pytest.mark.parametrize("kind", KINDS)
def test_both_changing_one_field_shows_both_values_and_saves_nothing(
    report, reporter, colleague, kind
):
    key, theirs, mine = KINDS[kind]
    before = report.version
    _, response = conflict_page(report, reporter, colleague, key, theirs, mine)
    assert response.status_code == 200
    assert "CHƯA được lưu" in response.content.decode()
    rows = response.context["conflict_rows"]
    assert [row.key for row in rows] == [key]  # results, changed by A only, is no conflict
    shown = {"level": {"fair": "Khá", "average": "Trung bình"}}.get(kind, {})
    assert rows[0].theirs_shown == shown.get(theirs, theirs)
    assert rows[0].mine_shown == shown.get(mine, mine)
    page = response.content.decode()
    assert rows[0].theirs_shown in page
    assert rows[0].mine_shown in page
    report.refresh_from_db()
    assert report.version == before + 1  # only A's save
    assert saved(report, key) == theirs
    # A's change elsewhere is already in the form B gets back.
    assert response.context["form"]["s1-results"].value() == "Kết quả A lưu"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_choice_after_a_conflict_does_what_it_says(report, reporter, colleague, kind, choice):
    key, theirs, mine = KINDS[kind]
    b, response = conflict_page(
        report, reporter, colleague, key, theirs, mine, **{"s1-limitations": "Hạn chế B lưu"}
    )
    again = page_data(response) | {f"choice-{key}": choice}
    assert b.post(edit_url(report), again).status_code == 302
    assert saved(report, key) == (mine if choice == "mine" else theirs)
    assert saved(report, "s1-results") == "Kết quả A lưu"
    assert saved(report, "s1-limitations") == "Hạn chế B lưu"


def test_keep_mine_takes_what_was_typed_before_even_if_the_box_was_touched(
    report, reporter, colleague
):
    b, response = conflict_page(report, reporter, colleague, "proposals", "Của A", "Của B")
    again = page_data(response) | {"choice-proposals": "mine", "proposals": "gõ nhầm"}
    assert b.post(edit_url(report), again).status_code == 302
    assert saved(report, "proposals") == "Của B"


def test_edit_after_a_conflict_saves_the_edited_text(report, reporter, colleague):
    b, response = conflict_page(report, reporter, colleague, "proposals", "Của A", "Của B")
    again = page_data(response) | {"choice-proposals": "edit", "proposals": "Của A và của B"}
    assert b.post(edit_url(report), again).status_code == 302
    assert saved(report, "proposals") == "Của A và của B"


def test_saving_after_a_conflict_without_choosing_saves_nothing(report, reporter, colleague):
    b, response = conflict_page(report, reporter, colleague, "proposals", "Của A", "Của B")
    report.refresh_from_db()
    version = report.version
    again = b.post(edit_url(report), page_data(response))  # pressed Save again, no choice
    assert again.status_code == 200
    assert "Hãy chọn giữ nội dung nào" in again.content.decode()
    assert [row.key for row in again.context["conflict_rows"]] == ["proposals"]
    report.refresh_from_db()
    assert report.version == version
    assert saved(report, "proposals") == "Của A"


def test_keep_theirs_takes_a_change_saved_after_the_conflict_was_shown(report, reporter, colleague):
    b, response = conflict_page(report, reporter, colleague, "proposals", "Của A", "Của B")
    a, a_page = opened(reporter, report)
    a.post(edit_url(report), a_page | {"proposals": "Của A, sửa lại"})
    again = page_data(response) | {"choice-proposals": "theirs"}
    assert b.post(edit_url(report), again).status_code == 302
    assert saved(report, "proposals") == "Của A, sửa lại"


def test_a_form_without_its_base_shows_every_difference_and_loses_nothing(
    report, reporter, colleague
):
    """A page opened before forms carried their base: nobody can tell who changed what,
    so every differing field is a question, and pressing Save again answers none."""
    a, a_page = opened(reporter, report)
    b, b_page = opened(colleague, report)
    del b_page["base"]
    a.post(edit_url(report), a_page | {"s1-results": "Kết quả A lưu"})
    response = b.post(edit_url(report), b_page | {"s1-limitations": "Hạn chế B lưu"})
    assert response.status_code == 200
    keys = [row.key for row in response.context["conflict_rows"]]
    assert keys == ["s1-results", "s1-limitations"]
    assert b.post(edit_url(report), page_data(response)).status_code == 200
    assert saved(report, "s1-results") == "Kết quả A lưu"
    answered = page_data(response) | {
        "choice-s1-results": "theirs",
        "choice-s1-limitations": "mine",
    }
    assert b.post(edit_url(report), answered).status_code == 302
    assert saved(report, "s1-results") == "Kết quả A lưu"
    assert saved(report, "s1-limitations") == "Hạn chế B lưu"


# The same form posted twice -------------------------------------------------------------


def test_a_submit_posted_twice_at_once_says_it_was_submitted(report, reporter, monkeypatch):
    """The second post arrives while the first has saved but not yet submitted: the first
    then finds the report submitted by the second, and must say so, not "not saved"."""
    client, page = opened(reporter, report)
    post = page | _full_form(report) | {"submit": "1"}
    real = report_services._submit_saved
    second = []

    def duplicate_arrives(**kwargs):
        monkeypatch.setattr(report_services, "_submit_saved", real)
        second.append(browser(reporter).post(edit_url(report), post))
        return real(**kwargs)

    monkeypatch.setattr(report_services, "_submit_saved", duplicate_arrives)
    first = client.post(edit_url(report), post)
    assert first.status_code == 302
    assert "Đã gửi báo cáo" in said(second[0])
    message = said(first)
    assert "đã được gửi; không cần gửi lại" in message
    assert "CHƯA được lưu" not in message
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submission_count == 1


def _full_form(report) -> dict[str, str]:
    content = full_content(report)
    data = {
        name: getattr(content, name)
        for name in ("overall_assessment", "proposals", "signer_name", "signer_position")
    }
    for number, section in content.sections.items():
        for part, value in vars(section).items():
            data[f"s{number}-{part}"] = value
    for code, value in content.figures.items():
        data[f"i-{code}"] = str(int(value))
    return data


# The service and the merge on their own -------------------------------------------------


def test_service_merges_a_stale_save_given_its_base(report, reporter):
    opened_at, base = report.version, fingerprint(ReportContent.of(report))
    first = ReportContent.of(report)
    first.sections[1].results = "Kết quả A lưu"
    report_save(report=report, content=first, version=opened_at, actor=reporter)
    second = ReportContent.of(report)
    second.sections[1].results = full_content(report).sections[1].results  # as opened
    second.proposals = "Kiến nghị B lưu"
    saved_report = report_save(
        report=report, content=second, version=opened_at, actor=reporter, base=base
    )
    assert saved_report.version == opened_at + 2
    assert saved_report.sections.get(task__number=1).results == "Kết quả A lưu"
    assert saved_report.proposals == "Kiến nghị B lưu"


def test_service_refuses_a_real_conflict_and_saves_none_of_it(report, reporter):
    opened_at, base = report.version, fingerprint(ReportContent.of(report))
    first = ReportContent.of(report)
    first.proposals = "Kiến nghị A"
    report_save(report=report, content=first, version=opened_at, actor=reporter)
    second = ReportContent.of(report)
    second.proposals = "Kiến nghị B"
    second.signer_name = "Lê Văn B"
    with pytest.raises(ConcurrentEdit) as excinfo:
        report_save(report=report, content=second, version=opened_at, actor=reporter, base=base)
    assert excinfo.value.conflicts == ["proposals"]
    assert excinfo.value.merged.signer_name == "Lê Văn B"
    report.refresh_from_db()
    assert (report.proposals, report.signer_name) == ("Kiến nghị A", "Nguyễn Văn An")


def content_with(**changes) -> ReportContent:
    content = ReportContent(
        overall_assessment="chung",
        sections={1: SectionContent(results="kết quả", level="good")},
        figures={"X": Decimal("125")},
    )
    for key, value in changes.items():
        if key == "figure":
            content.figures["X"] = value
        elif key in vars(content):
            setattr(content, key, value)
        else:
            setattr(content.sections[1], key, value)
    return content


def test_merge_takes_each_side_where_only_it_changed():
    base = fingerprint(content_with())
    result = merge(content_with(results="mới"), content_with(level="fair"), base)
    assert result.conflicts == []
    assert result.theirs == ["s1-level"]
    assert result.content.sections[1] == SectionContent(results="mới", level="fair")


def test_merge_sees_the_same_number_in_different_spellings_as_unchanged():
    base = fingerprint(content_with(figure=Decimal("125.00")))
    result = merge(content_with(), content_with(figure=Decimal("130")), base)
    assert result.conflicts == []
    assert result.content.figures["X"] == Decimal("130")


def test_merge_without_a_base_calls_every_difference_a_conflict():
    result = merge(content_with(results="mới"), content_with(level="fair"), None)
    assert result.conflicts == ["s1-results", "s1-level"]


def test_merge_of_equal_changes_is_no_conflict():
    base = fingerprint(content_with())
    result = merge(content_with(proposals="như nhau"), content_with(proposals="như nhau"), base)
    assert result.conflicts == []
    assert result.content.proposals == "như nhau"
