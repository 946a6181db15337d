"""Every URL of the project, for every persona, GET and POST: the expected answer.

A URL added without an entry here fails `test_every_url_is_in_the_matrix`, so nobody can
add a page without saying who may reach it.
"""

import importlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reports.services.files import attachment_add
from reports.services.subplans import subplan_register
from reports.services.uploads import PDF as PDF_TYPE
from reports.services.uploads import check_upload
from tests.plan112.matrix_common import (
    ALL_405,
    MANAGE_CYCLE,
    OWN_REPORT,
    PERSONAS,
    REPORTER_ACTION,
    REVIEW_ACTION,
    ROLES_200,
)
from tests.reports.factories import PDF, make_cycle, saved_report

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
        dict.fromkeys(PERSONAS[:-1], 302) | {"outsider": 404},
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
        {p: (302 if s == 200 else s) for p, s in MANAGE_CYCLE.items()},
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
        },
        REPORTER_ACTION,
    ),
    "reports:inbox": (
        lambda w: {},
        {
            "reporter": 403,
            "other_reporter": 403,
            "body_reporter": 403,
            "reviewer": 200,
            "leader": 200,
            "admin_user": 200,
            "outsider": 404,
        },
        ALL_405,
    ),
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
        {
            "reporter": 200,
            "other_reporter": 200,  # Cầu Kè registers its own
            "body_reporter": 403,
            "reviewer": 403,
            "leader": 403,
            "admin_user": 403,
            "outsider": 404,
        },
        {
            "reporter": 200,
            "other_reporter": 200,
            "body_reporter": 403,
            "reviewer": 403,
            "leader": 403,
            "admin_user": 403,
            "outsider": 404,
        },
    ),
    "reports:subplan_download": (lambda w: {"pk": w["subplan"].pk}, OWN_REPORT, ALL_405),
}
for _entry_file in sorted(Path(__file__).parent.glob("matrix_*.py")):
    if _entry_file.stem != "matrix_common":
        MATRIX.update(importlib.import_module(f"tests.plan112.{_entry_file.stem}").ENTRIES)

PUBLIC = {"login", "health"}
SKIPPED_NAMESPACES = {"admin"}  # Django's own admin checks staff status itself


def project_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_matrix():
    assert project_url_names() == set(MATRIX)


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


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_the_expected_answer(request, client, world, name):
    kwargs, expected_get, expected_post = MATRIX[name]
    url = reverse(name, kwargs=kwargs(world))
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS}

    answers = {}
    for method, expected in (("GET", expected_get), ("POST", expected_post)):
        # Personas who may change things go last, so their change cannot hide a refusal.
        order = sorted(PERSONAS, key=lambda p: expected[p] in (200, 302))
        for persona in order:
            client.force_login(users[persona])
            response = client.get(url) if method == "GET" else client.post(url)
            answers[(method, persona)] = (response.status_code, expected[persona])
            client.logout()
    wrong = {key: got for key, (got, want) in answers.items() if got != want}
    assert not wrong, f"{name}: (method, persona) → status: {wrong}"


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
