"""Every URL of the project, for every persona, GET and POST: the expected answer.

A URL added without an entry here fails `test_every_url_is_in_the_matrix`, so nobody can
add a page without saying who may reach it.
"""

import importlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reports.services.files import attachment_add
from reports.services.reports import report_submit
from reports.services.subplans import subplan_register
from reports.services.uploads import PDF as PDF_TYPE
from reports.services.uploads import check_upload
from tests.plan112.matrix_cascade import CHILD_ENTRIES, NODE_ENTRIES, UNIT
from tests.plan112.matrix_common import (
    ALL_405,
    MANAGE_CYCLE,
    OVERSEERS_ONLY,
    OWN_REPORT,
    PERSONAS,
    REPORTER_ACTION,
    REVIEW_ACTION,
    ROLES_200,
    as_post,
)
from tests.reports.factories import PDF, full_content, make_cycle, make_report, saved_report

# Districts issue their own implementation plans; a commune's unit does not (the plan's
# duties name the district level), and reviewers register nothing.
SUBPLAN_REGISTER = {
    "reporter": 200,
    "other_reporter": 200,  # Cầu Kè registers its own
    "body_reporter": 403,
    "reviewer": 403,
    "leader": 403,
    "admin_user": 403,
    "outsider": 404,
    "district_reviewer": 403,
    "other_district_reviewer": 403,
    "grassroots_reporter": 403,
}

# name: (kwargs from the world, expected GET per persona, expected POST per persona).
# Anonymous visitors are checked separately: every URL but the public ones sends them to
# the sign-in page.
MATRIX = {
    "home": (lambda w: {}, dict.fromkeys(PERSONAS, 200), ALL_405),
    "health": (lambda w: {}, dict.fromkeys(PERSONAS, 200), ALL_405),
    "login": (lambda w: {}, dict.fromkeys(PERSONAS, 302), dict.fromkeys(PERSONAS, 302)),
    "logout": (lambda w: {}, ALL_405, dict.fromkeys(PERSONAS, 302)),
    "tasks:plan_list": (
        lambda w: {},
        dict.fromkeys(PERSONAS, 302) | {"outsider": 404},
        ALL_405,
    ),
    "tasks:plan_detail": (lambda w: {"code": w["plan"].code}, ROLES_200, ALL_405),
    "organisations:list": (lambda w: {}, ROLES_200, ALL_405),
    "organisations:detail": (lambda w: {"code": "TV-HCL"}, ROLES_200, ALL_405),
    "reports:cycle_list": (lambda w: {}, ROLES_200, ALL_405),
    "reports:cycle_create": (lambda w: {}, MANAGE_CYCLE, MANAGE_CYCLE),
    "reports:cycle_detail": (lambda w: {"pk": w["cycle"].pk}, ROLES_200, ALL_405),
    "reports:cycle_edit": (lambda w: {"pk": w["cycle"].pk}, MANAGE_CYCLE, MANAGE_CYCLE),
    "reports:cycle_close": (
        lambda w: {"pk": w["cycle"].pk},
        ALL_405,
        as_post(MANAGE_CYCLE),
    ),
    "reports:report_start": (
        lambda w: {"pk": w["cycle"].pk, "code": "TV-HCL"},
        {
            "reporter": 302,
            "other_reporter": 404,
            "body_reporter": 404,
            "reviewer": 302,
            "leader": 302,
            "admin_user": 302,
            "outsider": 404,
            "district_reviewer": 302,  # TV-HCL is its own committee
            "other_district_reviewer": 404,  # out of its subtree: not even a redirect
            "grassroots_reporter": 404,
        },
        REPORTER_ACTION,
    ),
    "reports:inbox": (lambda w: {}, OVERSEERS_ONLY, ALL_405),
    "reports:report_detail": (lambda w: {"pk": w["report"].pk}, OWN_REPORT, ALL_405),
    "reports:report_edit": (
        lambda w: {"pk": w["report"].pk},
        {**REPORTER_ACTION, "reporter": 200},
        {**REPORTER_ACTION, "reporter": 200},
    ),
    "reports:report_print": (lambda w: {"pk": w["report"].pk}, OWN_REPORT, ALL_405),
    "reports:report_docx": (lambda w: {"pk": w["report"].pk}, OWN_REPORT, ALL_405),
    "reports:report_return": (lambda w: {"pk": w["report"].pk}, ALL_405, REVIEW_ACTION),
    "reports:report_accept": (lambda w: {"pk": w["report"].pk}, ALL_405, REVIEW_ACTION),
    "reports:report_reopen": (lambda w: {"pk": w["report"].pk}, ALL_405, REVIEW_ACTION),
    "reports:attachment_upload": (lambda w: {"pk": w["report"].pk}, ALL_405, REPORTER_ACTION),
    "reports:attachment_download": (
        lambda w: {"pk": w["report"].pk, "attachment_pk": w["attachment"].pk},
        OWN_REPORT,
        ALL_405,
    ),
    "reports:attachment_remove": (
        lambda w: {"pk": w["report"].pk, "attachment_pk": w["attachment"].pk},
        ALL_405,
        REPORTER_ACTION,
    ),
    "reports:subplan_list": (lambda w: {}, ROLES_200, ALL_405),
    "reports:subplan_register": (
        lambda w: {"plan_code": w["plan"].code},
        SUBPLAN_REGISTER,
        SUBPLAN_REGISTER,
    ),
    "reports:subplan_download": (lambda w: {"pk": w["subplan"].pk}, OWN_REPORT, ALL_405),
}
# Files of shared answers and of the cascade's own matrices, not of URL entries.
NOT_ENTRY_FILES = {"matrix_common", "matrix_cascade"}
for _entry_file in sorted(Path(__file__).parent.glob("matrix_*.py")):
    if _entry_file.stem not in NOT_ENTRY_FILES:
        MATRIX.update(importlib.import_module(f"tests.plan112.{_entry_file.stem}").ENTRIES)

PUBLIC = {"login", "health"}
SKIPPED_NAMESPACES = {"admin"}  # Django's own admin checks staff status itself


def project_url_names() -> set[str]:
    return set(project_url_routes())


def project_url_routes() -> dict[str, str]:
    """Every named URL of the project (the admin's aside) with its route inside its
    namespace, e.g. ``reports:report_detail`` → ``bao-cao/<int:pk>/``."""
    names = {}

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                names[f"{namespace}{entry.name}"] = str(entry.pattern)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_matrix():
    assert project_url_names() == set(MATRIX)


def test_every_report_level_url_is_in_the_child_matrix():
    """A page about one report must say who may reach a lower level's report too."""
    report_level = {
        name
        for name, route in project_url_routes().items()
        if name.startswith("reports:") and route.startswith("bao-cao/<int:pk>/")
    }
    assert report_level, "the report pages moved: update this test"
    assert report_level | {"reports:report_start", "reports:reminder_send"} == set(CHILD_ENTRIES)


@pytest.fixture
def world(request, plan, reviewer, reporter, organisations, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = make_cycle(plan, reviewer)
    report = saved_report(cycle, organisations["TV-HCL"], reporter)
    checked = check_upload(SimpleUploadedFile("scan.pdf", PDF), (PDF_TYPE,))
    attachment = attachment_add(report=report, checked=checked, kind="signed_scan", actor=reporter)
    checked = check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,))
    subplan = subplan_register(
        plan=plan,
        organisation=organisations["TV-HCL"],
        number="45-KH/HU",
        issued_on=cycle.opens_on,
        checked=checked,
        actor=reporter,
    )
    return {
        "plan": plan,
        "cycle": cycle,
        "report": report,
        "attachment": attachment,
        "subplan": subplan,
        **{persona: request.getfixturevalue(persona) for persona in PERSONAS},
    }


@pytest.fixture
def child_world(world, organisations, grassroots_reporter):
    """The world and a grassroots unit's report: Đảng ủy xã An Trường's, submitted to
    Huyện ủy Càng Long, with a signed scan attached while it was a draft."""
    report = make_report(world["cycle"], organisations[UNIT], grassroots_reporter)
    checked = check_upload(SimpleUploadedFile("scan.pdf", PDF), (PDF_TYPE,))
    attachment = attachment_add(
        report=report, checked=checked, kind="signed_scan", actor=grassroots_reporter
    )
    report.refresh_from_db()
    report = report_submit(
        report=report,
        content=full_content(report),
        version=report.version,
        actor=grassroots_reporter,
    )
    assert report.reports_to == organisations["TV-HCL"]
    return world | {"child": report, "child_attachment": attachment}


def answers_of(client, users, url: str, expected_get: dict, expected_post: dict) -> dict:
    """Every persona's GET and POST answer that differs from the expected one."""
    answers = {}
    for method, expected in (("GET", expected_get), ("POST", expected_post)):
        # Personas who may change things go last, so their change cannot hide a refusal.
        order = sorted(PERSONAS, key=lambda p: expected[p] in (200, 302))
        for persona in order:
            client.force_login(users[persona])
            response = client.get(url) if method == "GET" else client.post(url)
            answers[(method, persona)] = (response.status_code, expected[persona])
            client.logout()
    return {key: got for key, (got, want) in answers.items() if got != want}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_the_expected_answer(client, world, name):
    kwargs, expected_get, expected_post = MATRIX[name]
    url = reverse(name, kwargs=kwargs(world))
    wrong = answers_of(client, world, url, expected_get, expected_post)
    assert not wrong, f"{name}: (method, persona) → status: {wrong}"


@pytest.mark.parametrize("name", sorted(CHILD_ENTRIES))
def test_each_persona_on_a_grassroots_report(client, child_world, name):
    kwargs, expected_get, expected_post = CHILD_ENTRIES[name]
    url = reverse(name, kwargs=kwargs(child_world))
    wrong = answers_of(client, child_world, url, expected_get, expected_post)
    assert not wrong, f"{name} (grassroots report): (method, persona) → status: {wrong}"


@pytest.mark.parametrize("label", sorted(NODE_ENTRIES))
def test_each_persona_at_one_level_of_the_cascade(client, world, label):
    name, kwargs, query, expected, *post = NODE_ENTRIES[label]
    url = f"{reverse(name, kwargs=kwargs(world))}?{urlencode(query)}"
    wrong = answers_of(client, world, url, expected, post[0] if post else ALL_405)
    assert not wrong, f"{label} ({url}): (method, persona) → status: {wrong}"


@pytest.mark.parametrize("name", sorted(set(MATRIX) - PUBLIC))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    kwargs = MATRIX[name][0](world)
    url = reverse(name, kwargs=kwargs)
    if name.startswith("api:"):  # the API answers in JSON, never with a redirect
        get, post = client.get(url), client.post(url)
        assert get.status_code == 401, name
        assert get["WWW-Authenticate"].startswith("Basic"), name
        assert post.status_code == 405, name
        return
    for response in (client.get(url), client.post(url)):
        if name == "logout":  # signing out when not signed in just lands on sign-in
            assert response.status_code in (302, 405)
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
