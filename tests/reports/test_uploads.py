"""Uploads are judged by their content: the name people see and download carries the
extension of the type found, and an Office file is a zip read from its directory only."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from reports.models import Attachment
from reports.services.uploads import (
    DOCUMENT_TYPES,
    DOCX,
    PDF,
    SCAN_TYPES,
    XLSX,
    ZIP_MAX_ENTRIES,
    check_upload,
    typed_name,
)
from tests.reports.factories import PDF as PDF_BYTES
from tests.reports.factories import make_cycle, make_report

POLYGLOT = PDF_BYTES + b"<html><script>alert(document.cookie)</script></html>\n"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def uploaded(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refusal(upload, allowed=DOCUMENT_TYPES) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload, allowed)
    return caught.value


# Names ---------------------------------------------------------------------------------------


def test_a_pdf_named_html_is_kept_and_named_as_a_pdf():
    checked = check_upload(uploaded("poly.html", POLYGLOT), DOCUMENT_TYPES)
    assert checked.type == PDF
    assert checked.original_name == "poly.pdf"


def test_an_exe_holding_a_pdf_is_taken_as_the_scan_under_a_pdf_name():
    checked = check_upload(uploaded("evil.exe", PDF_BYTES), SCAN_TYPES)
    assert checked.original_name == "evil.pdf"


@pytest.mark.parametrize(
    ("name", "found", "expected"),
    [
        ("Báo cáo năm 2026.pdf", PDF, "Báo cáo năm 2026.pdf"),
        ("SCAN.PDF", PDF, "SCAN.pdf"),
        ("bang-tinh.xlsx", DOCX, "bang-tinh.docx"),
        ("khong-duoi", PDF, "khong-duoi.pdf"),
        ("../../x.pdf.html", PDF, "x.pdf.pdf"),
        ("", PDF, "tep.pdf"),
        (".html", PDF, "html.pdf"),
        ("a" * 300 + ".html", PDF, "a" * 196 + ".pdf"),
    ],
)
def test_typed_name_ends_in_the_extension_of_the_type_found(name, found, expected):
    assert typed_name(name, found) == expected


def test_an_html_upload_is_downloaded_under_the_pdf_name(
    client_for, plan, organisations, reporter, reviewer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = make_report(make_cycle(plan, reviewer), organisations["TV-HCL"], reporter)
    client = client_for(reporter)
    client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {"kind": "supporting", "file": uploaded("poly.html", POLYGLOT)},
    )
    attachment = Attachment.objects.get()
    assert attachment.original_name == "poly.pdf"
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="poly.pdf"' in response["Content-Disposition"]
    assert ".html" not in response["Content-Disposition"]


# Office files ----------------------------------------------------------------------------------


def test_word_and_excel_files_are_recognised_by_their_main_part():
    assert check_upload(uploaded("a.docx", docx_bytes()), DOCUMENT_TYPES).type == DOCX
    assert check_upload(uploaded("b.xlsx", xlsx_bytes()), DOCUMENT_TYPES).type == XLSX


def test_a_zip_without_content_types_is_refused():
    data = zip_bytes({"word/document.xml": b"<w:document/>"})
    assert "không đúng định dạng" in refusal(uploaded("a.docx", data)).messages[0]


@pytest.mark.parametrize(
    "main",
    [
        "application/vnd.ms-word.document.macroEnabled.main+xml",  # a .docm renamed
        "application/xml",
    ],
)
def test_a_zip_whose_main_part_is_not_a_document_or_workbook_is_refused(main):
    data = zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(main=main).encode(),
            "word/document.xml": b"<w:document/>",
        }
    )
    assert "không đúng định dạng" in refusal(uploaded("a.docx", data)).messages[0]


def test_a_zip_naming_a_main_part_it_does_not_hold_is_refused():
    data = zip_bytes({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCX_MAIN).encode()})
    assert "không đúng định dạng" in refusal(uploaded("a.docx", data)).messages[0]


def test_content_types_with_a_doctype_is_refused():
    types = CONTENT_TYPES.format(main=DOCX_MAIN)
    bomb = '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">]>' + types.split("?>", 1)[1]
    data = zip_bytes({"[Content_Types].xml": bomb.encode(), "word/document.xml": b"<x/>"})
    assert "không đúng định dạng" in refusal(uploaded("a.docx", data)).messages[0]


def test_a_document_of_many_parts_within_the_limit_is_accepted():
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.format(main=DOCX_MAIN).encode(),
        "word/document.xml": b"<w:document/>",
    }
    parts.update({f"word/media/{n}.xml": b"<x/>" for n in range(ZIP_MAX_ENTRIES - 2)})
    checked = check_upload(uploaded("nhieu-phan.docx", zip_bytes(parts)), DOCUMENT_TYPES)
    assert checked.type == DOCX


def test_a_zip_bomb_is_refused_quickly_without_being_unpacked(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=DOCX_MAIN))
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as part:
            block = bytes(16 * 1024 * 1024)
            for _ in range(64):  # 1 GiB once unpacked
                part.write(block)
    data = buffer.getvalue()
    assert len(data) < settings.UPLOAD_MAX_BYTES

    started = time.perf_counter()
    error = refusal(uploaded("bom.docx", data))
    assert time.perf_counter() - started < 2
    assert "Tệp giải nén ra quá lớn (tối đa 100,0\xa0MB)" in error.messages[0]
    assert error.code == "unsafe_archive"


def test_a_zip_of_a_hundred_thousand_entries_is_refused_quickly(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=DOCX_MAIN))
        archive.writestr("word/document.xml", b"<w:document/>")
        for number in range(100_000):
            archive.writestr(f"x/{number}", b"")
    data = buffer.getvalue()
    assert len(data) < settings.UPLOAD_MAX_BYTES

    started = time.perf_counter()
    error = refusal(uploaded("nhieu.docx", data))
    assert time.perf_counter() - started < 2
    assert "Tệp nén quá nhiều tệp con" in error.messages[0]
    assert f"{ZIP_MAX_ENTRIES:,}".replace(",", ".") in error.messages[0]
