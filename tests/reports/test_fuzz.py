"""Random text, numbers and files thrown at the report form and the API: never a server
error, never a half-saved report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import Attachment, EventKind
from tests.reports.factories import make_cycle, make_report

FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
figure_text = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e9", "1.234", "12,5", "1.234,56", "0x1f", "١٢٣", "  7 ", "-0", "∞"]),
)


@pytest.fixture
def report(plan, reviewer, reporter, organisations):
    return make_report(make_cycle(plan, reviewer), organisations["TV-HCL"], reporter)


def state(report):
    report.refresh_from_db()
    return (
        report.version,
        report.overall_assessment,
        list(report.values.order_by("pk").values_list("value", flat=True)),
        list(report.sections.order_by("pk").values_list("results", flat=True)),
    )


@FAST
@given(
    figures=st.dictionaries(
        st.sampled_from(["T3_ADMITTED", "T3_ADMITTED_WOMEN", "T1_TRAINING_CLASSES"]),
        figure_text,
        min_size=1,
    ),
    text=st.text(max_size=300),
    submit=st.booleans(),
)
def test_report_form_never_fails_and_never_half_saves(
    client_for, reporter, report, figures, text, submit
):
    client = client_for(reporter)
    # Each example starts from the same draft: one that got submitted would otherwise
    # leave nothing editable for the examples after it.
    with transaction.atomic():
        report.refresh_from_db()
        assert report.is_editable
        before = state(report)
        data = {"version": report.version, "overall_assessment": text, "s1-results": text}
        data.update({f"i-{code}": value for code, value in figures.items()})
        if submit:
            data["submit"] = "1"
        response = client.post(reverse("reports:report_edit", args=[report.pk]), data)
        assert response.status_code in (200, 302)
        after = state(report)
        if after != before:
            # Saved: all of it, at once. Both fields got the same text, so they agree.
            assert after[0] > before[0]
            assert report.overall_assessment == report.sections.get(task__number=1).results
        else:
            assert response.status_code == 200  # refused, with the form and its errors
        transaction.set_rollback(True)


def upload_name(name: str) -> str:
    """A name a browser could send: it sends the file's own name, never a path (and
    Django's test file refuses one it cannot take a name from, like "/" or "..")."""
    base = name.replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1]
    return base if base not in ("", ".", "..") else "x"


@FAST
@given(content=st.binary(max_size=2048), name=st.text(min_size=1, max_size=80))
def test_any_upload_is_refused_or_stored_whole(client_for, reporter, report, content, name):
    client = client_for(reporter)
    count = Attachment.objects.count()
    response = client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {
            "kind": "supporting",
            "file": SimpleUploadedFile(upload_name(name), content),
        },
    )
    assert response.status_code == 302
    stored = Attachment.objects.count() - count
    assert stored in (0, 1)
    if stored:
        attachment = Attachment.objects.latest("pk")
        assert attachment.size == len(content)
        assert report.events.filter(kind=EventKind.ATTACHED).exists()


@FAST
@given(
    params=st.dictionaries(
        st.sampled_from(["plan", "year", "include_submitted", "limit", "offset", "cursor", "x"]),
        st.text(max_size=12),
        max_size=4,
    )
)
def test_api_never_answers_with_a_server_error(client_for, reviewer, report, params):
    client = client_for(reviewer)
    cycle_id = report.cycle_id
    for url in (
        "/api/v1/cycles/",
        f"/api/v1/cycles/{cycle_id}/status/",
        f"/api/v1/cycles/{cycle_id}/rollup/",
    ):
        response = client.get(url, params)
        assert response.status_code in (200, 400, 404), (url, params, response.status_code)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_form_fuzz_posts_the_fields_the_form_reads(client_for, reporter, report):
    """The fuzz above is only worth something if the edit page reads what it posts: a
    renamed field would leave it throwing text at inputs nobody looks at."""
    page = client_for(reporter).get(reverse("reports:report_edit", args=[report.pk]))
    assert page.status_code == 200
    form = page.content.decode()
    for field in ("version", "overall_assessment", "s1-results", "submit"):
        assert f'name="{field}"' in form, field
    for code in ("T3_ADMITTED", "T3_ADMITTED_WOMEN", "T1_TRAINING_CLASSES"):
        assert f'name="i-{code}"' in form, code
    version = report.version
    response = client_for(reporter).post(
        reverse("reports:report_edit", args=[report.pk]),
        {"version": version, "overall_assessment": "Đã đọc", "s1-results": "Đã đọc"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.version > version
    assert report.overall_assessment == report.sections.get(task__number=1).results == "Đã đọc"
