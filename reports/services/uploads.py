"""Checking uploaded files by their content, not their names."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
PNG = FileType("png", "image/png", "PNG")
JPG = FileType("jpg", "image/jpeg", "JPG")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
)
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")

DOCUMENT_TYPES = (PDF, DOCX, XLSX, JPG, PNG)
SCAN_TYPES = (PDF,)


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile[bytes]
    type: FileType
    size: int
    sha256: str
    original_name: str


def sniff(upload: UploadedFile[bytes]) -> FileType | None:
    """The file's real type, from its first bytes (and, for Office files, its parts)."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    return None


def clean_name(name: str) -> str:
    """The name as shown to people: no folders, no control characters, not too long."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return (base or "tep")[:200]


def check_upload(upload: UploadedFile[bytes], allowed: tuple[FileType, ...]) -> CheckedFile:
    """Accept the file only if its content is one of the allowed types and it is not too
    large; the error says which, in Vietnamese."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("Tệp rỗng, vui lòng chọn lại tệp."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” dung lượng %(size)s, vượt quá giới hạn %(limit)s.")
            % {
                "name": clean_name(upload.name or ""),
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
            code="too_large",
        )
    found = sniff(upload)
    if found not in allowed:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng định dạng. Chỉ chấp nhận: %(allowed)s.")
            % {
                "name": clean_name(upload.name or ""),
                "allowed": ", ".join(t.label for t in allowed),
            },
            code="wrong_type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        type=found,
        size=upload.size,
        sha256=digest.hexdigest(),
        original_name=clean_name(upload.name or f"tep.{found.extension}"),
    )
