import datetime as dt

from django.urls import reverse

from organisations.change_plans import Decision
from organisations.models import Membership, Organisation, OrganisationChange, Role
from organisations.services import organisation_merge, organisation_rename
from tests.conftest import make_user

MERGE = {
    "organisations": "TV-HCL, TV-HCT",
    "new_code": "TV-HCLCT",
    "new_name": "Huyện ủy Càng Long - Châu Thành",
    "new_kind": "district_committee",
    "members": "move",
    "effective_on": "01/07/2025",
    "decision_number": "99-QĐ/TU",
    "decision_date": "30/06/2025",
    "decision_issuer": "Ban Thường vụ Tỉnh ủy",
}


def url(kind: str) -> str:
    return reverse("admin:organisations_organisation_restructure", args=[kind])


def test_admin_preview_lists_the_people_and_changes_nothing(client_for, admin_user, reporter):
    make_user("reviewer-hct", organisation=Organisation.objects.get(code="TV-HCT"),
              role=Role.REVIEWER)  # fmt: skip
    response = client_for(admin_user).post(url("merge"), MERGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Xác nhận thay đổi" in page
    assert "reporter" in page
    assert "reviewer-hct" in page
    assert "Người báo cáo" in page
    assert "chuyển sang TV-HCLCT" in page
    assert "Huyện ủy Càng Long (TV-HCL)" in page
    assert not OrganisationChange.objects.exists()
    assert Membership.objects.get(user=reporter).organisation.code == "TV-HCL"


def test_admin_confirm_applies_the_change(client_for, admin_user, reporter):
    response = client_for(admin_user).post(url("merge"), {**MERGE, "confirm": "1"})
    target = Organisation.objects.get(code="TV-HCLCT")
    assert response.status_code == 302
    assert response.url == target.get_absolute_url()
    change = OrganisationChange.objects.get()
    assert change.applied_by == admin_user
    assert change.decision_date == dt.date(2025, 6, 30)
    assert Membership.objects.get(user=reporter).organisation == target
    assert Organisation.objects.get(code="TV-HCL").valid_to == dt.date(2025, 6, 30)


def test_admin_shows_a_refusal_without_applying(client_for, admin_user, organisations):
    data = {**MERGE, "organisations": "TV-HCL", "new_code": "TV-HCT"}
    response = client_for(admin_user).post(url("merge"), {**data, "confirm": "1"})
    assert response.status_code == 200
    assert "đã có" in response.content.decode()
    assert not OrganisationChange.objects.exists()


def test_admin_form_reports_unknown_codes(client_for, admin_user, organisations):
    response = client_for(admin_user).post(url("merge"), {**MERGE, "organisations": "KHONG"})
    assert "Không có tổ chức mã: KHONG." in response.content.decode()


def test_admin_action_opens_the_form_with_the_chosen_organisations(
    client_for, admin_user, organisations
):
    response = client_for(admin_user).post(
        reverse("admin:organisations_organisation_changelist"),
        {
            "action": "restructure_merge",
            "_selected_action": [organisations["TV-HCL"].pk, organisations["TV-HCT"].pk],
        },
    )
    assert response.status_code == 302
    page = client_for(admin_user).get(response.url).content.decode()
    assert 'value="TV-HCL, TV-HCT"' in page


def test_every_kind_has_its_form(client_for, admin_user, organisations):
    for kind in ("merge", "split", "rename", "move", "close"):
        assert client_for(admin_user).get(url(kind)).status_code == 200
    assert client_for(admin_user).get(url("fold")).status_code == 404


def test_admin_rename_and_close_through_the_form(client_for, admin_user, organisations):
    common = {"effective_on": "01/07/2025", "decision_number": "1-QĐ"}
    client = client_for(admin_user)
    client.post(url("rename"), {**common, "organisation": "TV-HCK", "name": "Đảng ủy Cầu Kè",
                                "confirm": "1"})  # fmt: skip
    client.post(url("close"), {**common, "organisation": "TV-HCN", "successor": "TV-TU",
                               "members": "move", "confirm": "1"})  # fmt: skip
    assert Organisation.objects.get(code="TV-HCK").name == "Đảng ủy Cầu Kè"
    assert Organisation.objects.get(code="TV-HCN").successor.code == "TV-TU"


def test_non_staff_cannot_reach_the_restructuring_pages(client_for, reviewer, client):
    assert client.get(url("merge")).status_code == 302  # anonymous: to the admin login
    response = client_for(reviewer).post(url("merge"), {**MERGE, "confirm": "1"})
    assert response.status_code == 302
    assert "/login/" in response.url
    assert not OrganisationChange.objects.exists()


def test_staff_without_change_permission_is_refused(client_for, organisations):
    clerk = make_user("clerk")
    clerk.is_staff = True
    clerk.save()
    assert client_for(clerk).get(url("merge")).status_code == 403


def test_change_admin_is_read_only(client_for, admin_user, organisations):
    change = organisation_merge(
        sources=[organisations["TV-HCL"]], target=organisations["TV-HCT"],
        effective_on=dt.date(2025, 7, 1), decision=Decision(number="7-QĐ"),
    )  # fmt: skip
    client = client_for(admin_user)
    page = client.get(reverse("admin:organisations_organisationchange_change", args=[change.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:organisations_organisationchange_add")).status_code == 403
    deleted = client.post(
        reverse("admin:organisations_organisationchange_delete", args=[change.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403


def test_organisation_page_shows_changes_and_former_names(client_for, reviewer, organisations):
    organisation_rename(
        organisation=organisations["TV-HCK"], name="Đảng ủy Cầu Kè",
        effective_on=dt.date(2025, 7, 1), decision=Decision(number="5-QĐ/TU"),
    )  # fmt: skip
    organisation_merge(
        sources=[organisations["TV-HCL"]], target=organisations["TV-HCK"],
        effective_on=dt.date(2025, 8, 1),
        decision=Decision(number="8-QĐ/TU", issuer="Ban Thường vụ Tỉnh ủy"),
    )  # fmt: skip
    page = client_for(reviewer).get("/to-chuc/TV-HCK/").content.decode()
    assert "Tên gọi trước đây" in page
    assert "Huyện ủy Cầu Kè" in page
    assert "Quyết định số 8-QĐ/TU" in page
    assert "Ban Thường vụ Tỉnh ủy" in page
    assert 'href="/to-chuc/TV-HCL/"' in page
    old = client_for(reviewer).get("/to-chuc/TV-HCL/").content.decode()
    assert "Hợp nhất, sáp nhập" in old
    assert 'href="/to-chuc/TV-HCK/"' in old


def test_organisation_page_queries_do_not_grow_with_changes(
    client_for, reviewer, organisations, django_assert_max_num_queries
):
    client = client_for(reviewer)
    client.get("/to-chuc/TV-TU/")
    for code in ("TV-HCL", "TV-HCT", "TV-HCN", "TV-HTC"):
        organisation_merge(
            sources=[organisations[code]], target=organisations["TV-HCK"],
            effective_on=dt.date(2025, 7, 1), decision=Decision(number=f"Q-{code}"),
        )  # fmt: skip
    # The page also lists the reports of the organisation's lineage; a fixed budget.
    with django_assert_max_num_queries(15):
        assert client.get("/to-chuc/TV-HCK/").status_code == 200
