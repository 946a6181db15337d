import pytest
from playwright.sync_api import expect

from organisations.models import Organisation, OrganisationChange
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_merges_two_district_committees(page_for, admin_user, reporter, live_server):
    page = page_for(admin_user)
    page.goto(f"{live_server.url}/quan-tri/organisations/organisation/")
    page.get_by_role("link", name="Sắp xếp: Hợp nhất, sáp nhập").click()
    page.get_by_label("Các tổ chức được hợp nhất").fill("TV-HCL, TV-HCT")
    page.get_by_label("Mã tổ chức mới").fill("TV-HCLCT")
    page.get_by_label("Tên tổ chức mới").fill("Huyện ủy Càng Long - Châu Thành")
    page.get_by_label("Loại tổ chức mới").select_option("district_committee")
    page.get_by_label("Có hiệu lực từ ngày").fill("01/07/2025")
    page.get_by_label("Số quyết định").fill("1234-QĐ/TU")
    page.get_by_label("Ngày quyết định").fill("30/06/2025")
    page.get_by_label("Cơ quan ban hành").fill("Ban Thường vụ Tỉnh ủy")
    page.get_by_role("button", name="Xem trước").click()

    expect(page.get_by_role("heading", name="Xác nhận thay đổi")).to_be_visible()
    people = page.locator("#phan-cong")
    expect(people).to_contain_text("reporter")
    expect(people).to_contain_text("Người báo cáo")
    expect(people).to_contain_text("chuyển sang TV-HCLCT")
    expect(page.locator("ul.closed")).to_contain_text("Huyện ủy Châu Thành (TV-HCT)")
    screenshot(page, "restructuring-confirm")
    assert not OrganisationChange.objects.exists()

    page.get_by_role("button", name="Xác nhận và thực hiện").click()
    page.wait_for_url(f"{live_server.url}/to-chuc/TV-HCLCT/")
    changes = page.locator("#thay-doi-to-chuc")
    expect(changes).to_contain_text("Hợp nhất, sáp nhập")
    expect(changes).to_contain_text("1234-QĐ/TU")
    expect(changes).to_contain_text("Ban Thường vụ Tỉnh ủy")
    changes.get_by_role("link", name="Huyện ủy Càng Long", exact=True).click()
    page.wait_for_url(f"{live_server.url}/to-chuc/TV-HCL/")
    expect(page.get_by_text("Tổ chức kế thừa")).to_be_visible()
    screenshot(page, "restructuring-old-organisation")
    assert Organisation.objects.get(code="TV-HCL").successor.code == "TV-HCLCT"
    assert reporter.memberships.get().organisation.code == "TV-HCLCT"
