"""The demo's paper: signed scans of reports and committees' own plans, as small PDFs
that pass the same upload checks as a person's file."""

from __future__ import annotations

import unicodedata

from django.core.files.uploadedfile import SimpleUploadedFile

from organisations.models import Organisation
from reports.services.uploads import PDF, CheckedFile, check_upload
from tasks.models import Plan


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.encode("ascii", "replace").decode()


def demo_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF showing the lines (without diacritics: base font)."""
    body = " ".join(
        "({}) '".format(_ascii(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
        for line in lines
    )
    stream = f"BT /F1 11 Tf 14 TL 56 800 Td {body} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def checked_pdf(name: str, lines: list[str]) -> CheckedFile:
    upload = SimpleUploadedFile(name, demo_pdf(lines), content_type="application/pdf")
    return check_upload(upload, (PDF,))


def report_scan(plan: Plan, org: Organisation, year: int, *, corrected: bool) -> CheckedFile:
    """The signed and stamped scan of a report (or of its corrected version)."""
    plan_no = plan.number.replace("/", "-")
    suffix = " (bản sửa đổi)" if corrected else ""
    name = f"Báo cáo {plan_no} năm {year} - {org.display_name}{suffix}.pdf"
    return checked_pdf(
        name,
        [
            org.name.upper(),
            f"BAO CAO ket qua thuc hien Ke hoach so {plan.number} nam {year}",
            "Ban chup co chu ky, dong dau" + (" - ban sua doi" if corrected else ""),
        ],
    )


def subplan_number(org: Organisation, n: int) -> str:
    """A committee's own plan is numbered by its kind of issuer (HU, TU, ĐU)."""
    if org.name.startswith("Huyện ủy"):
        return f"{n:02d}-KH/HU"
    if org.name.startswith(("Thị ủy", "Thành ủy")):
        return f"{n:02d}-KH/TU"
    if org.name.startswith("Đảng ủy"):
        return f"{n:02d}-KH/ĐU"
    return f"{n:02d}-KH"


def subplan_scan(plan: Plan, org: Organisation, number: str) -> CheckedFile:
    return checked_pdf(
        f"Kế hoạch {number.replace('/', '-')} - {org.display_name}.pdf",
        [
            org.name.upper(),
            f"KE HOACH so {number}",
            f"thuc hien Ke hoach so {plan.number} cua Ban Thuong vu Tinh uy",
        ],
    )
