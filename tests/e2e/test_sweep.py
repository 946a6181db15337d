"""Every main page of every persona, on a 390-pixel phone and a 1366-pixel desktop:
nothing wider than the screen, no console error, no failed request or error response.

One dataset, one browser, one context per persona and width (signed in by a session
cookie, not the form), so the sweep stays well under a minute. Full-page screenshots go
to var/.../screenshots/sweep/ for people to look at."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import reverse
from playwright.sync_api import expect

from reports.demo.documents import subplan_scan
from reports.services.reports import report_accept
from reports.services.subplans import subplan_register
from tests.e2e.conftest import DESKTOP, PHONE
from tests.reports.factories import make_cycle, saved_report, submitted_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How far the page reaches to the right, and the widest elements that stick out (boxes
# that scroll on their own, .table-responsive, may be wider inside).
MEASURE = """() => {
  const width = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return {scroll: scroll, width: width, wide: []};
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => !el.closest(".table-responsive, .overflow-auto"))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (typeof el.className === "string" && el.className ? "." + el.className.trim()
        .split(/\\s+/).join(".") : ""))
    .slice(0, 5);
  return {scroll: scroll, width: width, wide: wide};
}"""


@pytest.fixture
def dataset(
    plan, organisations, reporter, other_reporter, body_reporter, district_reviewer,
    reviewer, leader, admin_user, grassroots_reporter, settings, tmp_path,
):  # fmt: skip
    """One year under way: a district's draft, a district's submitted report waiting at
    the province, a grassroots report waiting at its district, one accepted report, a
    registered sub-plan."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle = make_cycle(plan, reviewer)
    draft = saved_report(cycle, organisations["TV-HCL"], reporter)
    waiting = submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    grassroots = submitted_report(cycle, organisations["TV-HCL-XANTRUONG"], grassroots_reporter)
    accepted = submitted_report(cycle, organisations["TV-HCT"], reviewer)
    report_accept(report=accepted, actor=reviewer)
    subplan_register(
        plan=plan,
        organisation=organisations["TV-HCL"],
        number="05-KH/HU",
        issued_on=cycle.opens_on,
        checked=subplan_scan(plan, organisations["TV-HCL"], "05-KH/HU"),
        actor=reporter,
    )
    return {"cycle": cycle, "draft": draft, "waiting": waiting, "grassroots": grassroots}


def pages(persona: str, data) -> list[tuple[str, str]]:
    """(name, path) of the pages this persona reaches from its menus and home."""
    cycle, draft, waiting = data["cycle"].pk, data["draft"].pk, data["waiting"].pk
    common = [
        ("home", reverse("home")),
        ("notifications", reverse("reports:notifications")),
        ("organisations", reverse("organisations:list")),
        ("subplans", reverse("reports:subplan_list")),
    ]
    if persona == "anonymous":  # the first page a new browser opens
        return [("login", reverse("login"))]
    by_persona = {
        "reporter": [
            ("report-form", reverse("reports:report_edit", args=[draft])),
            ("report-detail", reverse("reports:report_detail", args=[draft])),
            ("report-print", reverse("reports:report_print", args=[draft])),
            ("cycles", reverse("reports:cycle_list")),
        ],
        "contributor": [
            ("contributions", reverse("reports:contribution_mine")),
            ("contribution-form", reverse("reports:contribution_edit", args=[cycle, "TV-BTG"])),
        ],
        "district-reviewer": [
            ("inbox", reverse("reports:inbox")),
            ("report-detail", reverse("reports:report_detail", args=[data["grassroots"].pk])),
            ("cycle", reverse("reports:cycle_detail", args=[cycle])),
            ("dashboard", reverse("reports:dashboard", args=[cycle])),
            ("rollup", reverse("reports:rollup", args=["112-KH-TU"])),
        ],
        "province-reviewer": [
            ("inbox", reverse("reports:inbox")),
            ("report-detail", reverse("reports:report_detail", args=[waiting])),
            ("report-print", reverse("reports:report_print", args=[waiting])),
            ("cycle", reverse("reports:cycle_detail", args=[cycle])),
            ("dashboard", reverse("reports:dashboard", args=[cycle])),
            ("rollup", reverse("reports:rollup", args=["112-KH-TU"])),
            ("summary", reverse("reports:summary_detail", args=[cycle])),
            ("summary-draft", reverse("reports:draft_detail", args=[cycle])),
        ],
        "leader": [
            ("inbox", reverse("reports:inbox")),
            ("cycle", reverse("reports:cycle_detail", args=[cycle])),
            ("dashboard", reverse("reports:dashboard", args=[cycle])),
            ("rollup", reverse("reports:rollup", args=["112-KH-TU"])),
            ("summary", reverse("reports:summary_detail", args=[cycle])),
        ],
        "admin": [
            ("cycles", reverse("reports:cycle_list")),
            ("admin", reverse("admin:index")),
            ("admin-users", reverse("admin:organisations_user_changelist")),
        ],
    }
    return common + by_persona[persona]


def session_cookie(user, url: str) -> dict:
    """A signed-in session for ``user``, as the login form would leave it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": url}


class Watcher:
    """Collects what went wrong, each line naming the page it happened on."""

    def __init__(self):
        self.page = ""
        self.problems: list[str] = []

    def add(self, text: str) -> None:
        self.problems.append(f"{self.page}: {text}")

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.add(m.text))
        page.on("pageerror", lambda error: self.add(str(error)))
        page.on("requestfailed", lambda r: self.add(f"failed {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.add(f"{r.status} {r.url}"))


def test_every_main_page_fits_the_screen_and_logs_no_error(
    browser, live_server, dataset, reporter, body_reporter, district_reviewer, reviewer,
    leader, admin_user,
):  # fmt: skip
    personas = {
        "anonymous": None,
        "reporter": reporter,
        "contributor": body_reporter,
        "district-reviewer": district_reviewer,
        "province-reviewer": reviewer,
        "leader": leader,
        "admin": admin_user,
    }
    folder = settings.VAR_DIR / "screenshots" / "sweep"
    folder.mkdir(parents=True, exist_ok=True)
    watcher = Watcher()
    for persona, user in personas.items():
        for width, viewport in (("390", PHONE), ("1366", DESKTOP)):
            context = browser.new_context(viewport=viewport, locale="vi-VN")
            if user is not None:
                context.add_cookies([session_cookie(user, live_server.url)])
            page = context.new_page()
            page.set_default_timeout(15_000)
            watcher.attach(page)
            for name, path in pages(persona, dataset):
                watcher.page = f"{persona} {name} @{width}"
                response = page.goto(f"{live_server.url}{path}", wait_until="load")
                assert response is not None, watcher.page
                assert response.ok, (watcher.page, response.status)
                assert user is None or not page.url.endswith("/dang-nhap/"), watcher.page
                size = page.evaluate(MEASURE)
                if size["scroll"] > size["width"]:
                    watcher.add(
                        f"{size['scroll']} px wide on a {size['width']} px screen"
                        f" ({', '.join(size['wide'])})"
                    )
                shot = folder / f"{persona}-{name}-{width}.jpg"
                page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=70)
            context.close()
    assert not watcher.problems, "\n".join(watcher.problems)


def test_file_field_speaks_vietnamese_and_names_the_chosen_file(
    browser, live_server, dataset, reporter
):
    """The browser's own "Choose File / No file chosen" is hidden behind "Chọn tệp" and
    a line that names the chosen file."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.add_cookies([session_cookie(reporter, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('reports:report_detail', args=[dataset['draft'].pk])}")
    picker = page.locator("[data-file-picker]").first
    expect(picker.locator("label.btn")).to_have_text("Chọn tệp")
    expect(picker.locator("[data-file-name]")).to_have_text("Chưa chọn tệp")
    # The browser's own control is there (the label opens it) but takes one pixel.
    assert picker.locator("input[type=file]").bounding_box()["width"] <= 1
    picker.locator("input[type=file]").set_input_files(
        files=[{"name": "bao-cao-co-chu-ky.pdf", "mimeType": "application/pdf", "buffer": b"%"}]
    )
    expect(picker.locator("[data-file-name]")).to_have_text("bao-cao-co-chu-ky.pdf")
    # The hidden input still takes the keyboard: Tab reaches it.
    picker.locator("input[type=file]").focus()
    assert page.evaluate("document.activeElement.type") == "file"
    context.close()
