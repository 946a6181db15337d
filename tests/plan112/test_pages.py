"""Every page of the foundation: happy path, anonymous, outsider, wrong method."""

import pytest
from django.urls import reverse

PAGES = [
    ("home", {}),
    ("tasks:plan_list", {}),
    ("tasks:plan_detail", {"code": "112-KH-TU"}),
    ("organisations:list", {}),
    ("organisations:detail", {"code": "TV-HCL"}),
]
PERSONAS = ["reporter", "body_reporter", "reviewer", "leader", "admin_user"]


def url(name, kwargs):
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, plan, name, kwargs):
    response = client.get(url(name, kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reads_the_foundation_pages(request, client_for, plan, persona, name, kwargs):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(url(name, kwargs), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES[1:])
def test_outsider_without_role_gets_404(client_for, outsider, name, kwargs):
    assert client_for(outsider).get(url(name, kwargs)).status_code == 404


def test_outsider_home_says_no_role(client_for, outsider):
    response = client_for(outsider).get(reverse("home"))
    assert "chưa được phân công" in response.content.decode()
    assert "112-KH/TU" not in response.content.decode()


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_pages_refuse_post(client_for, reviewer, name, kwargs):
    assert client_for(reviewer).post(url(name, kwargs)).status_code == 405


def test_unknown_plan_and_organisation_are_404(client_for, reviewer):
    client = client_for(reviewer)
    assert client.get(url("tasks:plan_detail", {"code": "khong-co"})).status_code == 404
    assert client.get(url("organisations:detail", {"code": "KHONG"})).status_code == 404


def test_plan_page_shows_purposes_tasks_duties_and_matrix(client_for, reviewer, plan):
    response = client_for(reviewer).get(plan.get_absolute_url())
    html = response.content.decode()
    assert html.count('class="mb-2">') >= 4  # the four purposes
    for number in range(1, 8):
        assert f'id="nhiem-vu-{number}"' in html
    assert "Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Văn phòng Tỉnh ủy" in html
    assert "Ma trận trách nhiệm" in html
    matrix = response.context["matrix"]
    rows = {row.organisation.code: row.cells for row in matrix.rows}
    assert all("report" in cell for cell in rows["TV-HCL"])
    assert "lead" in rows["TV-BTC"][0]
    # Ban Tuyên giáo leads duty 2 and contributes on task 1; it is no reporter (III.1).
    assert rows["TV-BTG"][0] >= {"contribute", "lead"}
    assert "report" not in rows["TV-BTG"][0]
    assert "coordinate" in rows["TV-UBKT"][6]
    assert "TV-TU" not in rows  # named by nothing in the plan


def test_plan_page_query_count_does_not_grow_with_organisations(
    client_for, reviewer, plan, django_assert_max_num_queries
):
    from organisations.models import Organisation

    client = client_for(reviewer)
    with django_assert_max_num_queries(30) as small:
        client.get(plan.get_absolute_url())
    Organisation.objects.bulk_create(
        Organisation(code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee")
        for i in range(200)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(plan.get_absolute_url())
    assert len(response.context["matrix"].rows) > 200


def test_organisation_tree_query_count_is_fixed(
    client_for, reviewer, django_assert_max_num_queries
):
    from organisations.models import Organisation

    client = client_for(reviewer)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("organisations:list"))
    root = Organisation.objects.get(code="TV-TU")
    Organisation.objects.bulk_create(
        Organisation(code=f"Y-{i}", name=f"Chi bộ {i}", kind="cell", parent=root)
        for i in range(200)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("organisations:list"))


def test_home_takes_each_role_to_its_work(client_for, reporter, reviewer, leader):
    assert "Báo cáo của đơn vị" in client_for(reporter).get("/").content.decode()
    assert "Thẩm định báo cáo" in client_for(reviewer).get("/").content.decode()
    assert "Tổng hợp toàn tỉnh" in client_for(leader).get("/").content.decode()


def test_sign_in_page_is_vietnamese_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html  # Django's own field label, translated


def test_wrong_password_gives_vietnamese_message(client, reporter):
    response = client.post(reverse("login"), {"username": "reporter", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_sign_in_and_out(client, reporter):
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # sign-out is POST only
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_admin_is_vietnamese_and_only_for_staff(client_for, admin_user, reviewer):
    html = client_for(admin_user).get(reverse("admin:index")).content.decode()
    assert "Quản trị hệ thống theo dõi kế hoạch" in html
    assert "Tổ chức và người dùng" in html
    response = client_for(reviewer).get(reverse("admin:index"))
    assert response.status_code == 302


def test_health_is_public(client, db):
    assert client.get("/health/").json() == {"status": "ok"}


def test_every_admin_list_opens_for_an_administrator(client_for, admin_user):
    from django.contrib import admin

    client = client_for(admin_user)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_error_pages_are_vietnamese(client_for, reviewer, reporter, plan):
    client = client_for(reviewer)
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.content.decode()
    forbidden = client.get(reverse("reports:cycle_create"))
    assert forbidden.status_code == 200  # a reviewer may; a reporter may not:
    forbidden = client_for(reporter).get(reverse("reports:cycle_create"))
    assert forbidden.status_code == 403
    assert "Không có quyền thực hiện" in forbidden.content.decode()


def test_expired_form_says_so_in_vietnamese(reporter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
