"""The administrator meets Vietnamese on every admin page: the changelist, the add form
and the change form of every registered model, the password pages and the admin's
JavaScript catalogue (the two-box selector's "Choose all …")."""

import re
import warnings
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from organisations.change_plans import Decision
from organisations.models import User
from organisations.services import organisation_rename
from reports.demo.documents import report_scan, subplan_scan
from reports.models import (
    AttachmentKind,
    OutboxMessage,
    Reminder,
    ReviewerDigest,
    YearlySummary,
)
from reports.services.files import attachment_add
from reports.services.subplans import subplan_register
from tests.reports.factories import make_cycle, make_report, submitted_report

pytestmark = pytest.mark.django_db

# English the admin showed (issue: "Vietnamese everywhere"), and common admin words
# that Django's Vietnamese catalogue leaves untranslated or that third-party apps add.
ENGLISH = [
    "Access attempts",
    "Access attempt",
    "Access failures",
    "Access failure",
    "Access logs",
    "Access log",
    "Reset password",
    "Raw passwords are not stored",
    "Choose all",
    "Remove all",
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "Show counts",
    "Hide counts",
    "log entry",
    "log entries",
    "Password-based authentication",
    "Enabled",
    "Disabled",
    "Personal info",
    "Important dates",
    "Staff status",
    "Superuser status",
    "Date joined",
    "Last login",
    "First name",
    "Last name",
    "Email address",
    "User agent",
    "IP address",
    "Attempt time",
    "Failures",
    "Logout time",
    "Path info",
    "Get data",
    "Post data",
    "HTTP Accept",
    "Username",
    "Password",
    "Save and add another",
    "Save and continue editing",
    "Delete",
    "History",
    "View site",
    "Log out",
    "Change password",
    "Clear all filters",
    "Filter",
    "Search",
]
# Django's Vietnamese catalogue calls a log entry "đăng nhập" (a sign-in).
WRONG_VIETNAMESE = ["Mục đăng nhập"]


class VisibleText(HTMLParser):
    """The text a person reads: element text, button and input values, titles and
    placeholders; not scripts, styles or the markup."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def english_in(text: str, words=ENGLISH) -> list[str]:
    return [
        w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE)
    ]


@pytest.fixture
def every_kind_of_row(plan, organisations, reviewer, reporter, admin_user):
    """At least one row of every registered model, so every change form opens."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cycle = make_cycle(plan, reviewer)
    submitted_report(cycle, organisations["TV-HCL"], reporter)
    draft = make_report(cycle, organisations["TV-HCK"], reviewer)
    attachment_add(
        report=draft,
        checked=report_scan(plan, organisations["TV-HCK"], cycle.year, corrected=False),
        kind=AttachmentKind.SIGNED_SCAN,
        actor=reviewer,
    )
    organisation_rename(
        organisation=organisations["TV-HCK"],
        name="Huyện ủy Cầu Kè (tên mới)",
        effective_on=cycle.opens_on,
        decision=Decision(number="01-QĐ/TU"),
        actor=admin_user,
    )
    # Deliveries and summaries are written by jobs; the admin only shows them.
    Reminder.objects.create(cycle=cycle, organisation=organisations["TV-HCK"], stage="due")
    ReviewerDigest.objects.create(cycle=cycle, node=organisations["TV-TU"], day=cycle.due_on)
    OutboxMessage.objects.create(
        kind="reminder", to=["a@example.org"], subject="Nhắc hạn", body_text="Nhắc hạn nộp báo cáo."
    )
    YearlySummary.objects.create(cycle=cycle, requested_by=reviewer)
    subplan_register(
        organisation=organisations["TV-HCL"],
        plan=plan,
        number="05-KH/HU",
        issued_on=cycle.opens_on,
        checked=subplan_scan(plan, organisations["TV-HCL"], "05-KH/HU"),
        actor=reporter,
    )
    group = Group.objects.create(name="Ban Tổ chức")
    group.permissions.set(Permission.objects.filter(codename__endswith="logentry"))
    LogEntry.objects.log_actions(
        user_id=admin_user.pk,
        queryset=[group],
        action_flag=ADDITION,
        change_message="",
    )
    who = {"username": "reporter", "ip_address": "127.0.0.1", "user_agent": "Chromium"}
    AccessAttempt.objects.create(**who, path_info="/dang-nhap/", failures_since_start=2)
    AccessLog.objects.create(**who, path_info="/dang-nhap/")
    AccessFailureLog.objects.create(**who, path_info="/dang-nhap/")
    return cycle


def admin_urls() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        urls.append(reverse(f"{name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
            urls.append(reverse(f"{name}_history", args=[first.pk]))
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
    user = User.objects.order_by("pk").first()
    urls.append(reverse("admin:auth_user_password_change", args=[user.pk]))
    return list(dict.fromkeys(urls))


def test_every_admin_page_speaks_vietnamese(client, admin_user, every_kind_of_row):
    client.force_login(admin_user)
    found = {}
    for url in admin_urls():
        response = client.get(url)
        # A read-only model's add page is refused (403); everything else opens.
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code != 200:
            continue
        text = VisibleText.of(response.content.decode())
        words = english_in(text) + [w for w in WRONG_VIETNAMESE if w in text]
        if words:
            found[url] = words
    assert not found, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_every_registered_model_was_walked(client, admin_user, every_kind_of_row):
    """The walk above opens a change form of every model: none lacks a row."""
    empty = [m.__name__ for m in admin.site._registry if not m._default_manager.exists()]
    assert not empty


def test_permission_names_are_vietnamese(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:auth_group_add"))
    text = VisibleText.of(response.content.decode())
    assert not english_in(text, ["Can add", "Can change", "Can delete", "Can view"])
    log_entry = ContentType.objects.get_for_model(LogEntry)
    names = set(Permission.objects.filter(content_type=log_entry).values_list("name", flat=True))
    assert "Được thêm nhật ký thao tác" in names


def test_admin_javascript_catalogue_is_vietnamese(client, admin_user):
    """The selector's buttons ("Choose all %s", "Remove all") come from djangojs."""
    client.force_login(admin_user)
    response = client.get(reverse("admin:jsi18n"))
    # The catalogue is JavaScript with \uXXXX escapes; the codec warns of the regexes'
    # "\(" on the way, which says nothing about the catalogue.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        body = response.content.decode("unicode_escape")
    assert '"Choose all %s"' in body
    assert "Chọn tất cả %s" in body
    assert "Bỏ chọn tất cả" in body or "Xóa tất cả" in body


def po_entries(path) -> dict[str, str]:
    """msgid → msgstr of a .po file (singular entries without context)."""
    entries, key, current = {}, None, {}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
        if match:
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        elif not line.strip():
            if current.get("msgid") and "msgctxt" not in current:
                text = current.get("msgstr", current.get("msgstr[0]", ""))
                entries[current["msgid"].replace('\\"', '"')] = text.replace('\\"', '"')
            key, current = None, {}
    return entries


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalogues_match_their_sources(domain):
    """The .mo files are committed (a clean clone needs no gettext tools): each must
    hold what its .po says, so an edit without compilemessages fails here."""
    import gettext

    from django.conf import settings

    folder = settings.BASE_DIR / "locale" / "vi" / "LC_MESSAGES"
    with open(folder / f"{domain}.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = po_entries(folder / f"{domain}.po")
    assert len(entries) > 10
    for msgid, msgstr in entries.items():
        assert compiled.gettext(msgid) == msgstr, msgid


def test_full_name_is_one_field_family_name_first(admin_user):
    person = User(username="ntan", last_name="Nguyễn Thị An")
    assert person.get_full_name() == "Nguyễn Thị An"
    assert str(person) == "Nguyễn Thị An"
    # A given name left in first_name by older code comes after the family name.
    assert User(last_name="Thạch", first_name="Sô Phal").get_full_name() == "Thạch Sô Phal"


def test_user_form_asks_for_one_full_name(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("admin:organisations_user_change", args=[admin_user.pk])).content
    text = VisibleText.of(html.decode())
    assert "Họ và tên" in text
    assert 'name="first_name"' not in html.decode()
    add = client.get(reverse("admin:organisations_user_add")).content.decode()
    assert 'name="last_name"' in add
    assert 'name="first_name"' not in add
