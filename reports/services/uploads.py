"""Checking uploaded files by their content, not their names."""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

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


# An Office file is a zip: these bound what one may hold, read from its central
# directory alone, so a zip bomb is refused before anything is decompressed.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
CONTENT_TYPES_MAX = 1024 * 1024
CONTENT_TYPES_PART = "[Content_Types].xml"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# The content type of the main part, as [Content_Types].xml names it; a macro-enabled
# document or a template names another and is not taken.
OFFICE_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}


class UnsafeArchive(Exception):
    """A zip too large or too crowded to open; the message says which, in Vietnamese."""


_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END_OF_DIRECTORY = struct.Struct("<4sQ2H2L4Q")


def _declared_entries(upload: UploadedFile[bytes]) -> int:
    """How many entries the zip's end-of-directory record declares, read from the file's
    tail before zipfile parses the directory entry by entry (slow for 100,000 entries)."""
    upload.seek(0, 2)
    size = upload.tell()
    start = max(0, size - _END_OF_DIRECTORY.size - 65535)  # the comment is at most 64 KiB
    upload.seek(start)
    tail = upload.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END_OF_DIRECTORY.size:
        raise zipfile.BadZipFile
    entries = _END_OF_DIRECTORY.unpack_from(tail, at)[4]  # on all disks
    locator_at = at - _ZIP64_LOCATOR.size
    if entries == 0xFFFF and locator_at >= 0 and tail.startswith(b"PK\x06\x07", locator_at):
        record_offset = _ZIP64_LOCATOR.unpack_from(tail, locator_at)[2]
        upload.seek(record_offset)
        record = upload.read(_ZIP64_END_OF_DIRECTORY.size)
        if len(record) < _ZIP64_END_OF_DIRECTORY.size or not record.startswith(b"PK\x06\x06"):
            raise zipfile.BadZipFile
        entries = _ZIP64_END_OF_DIRECTORY.unpack(record)[7]
    return int(entries)


def _too_crowded() -> UnsafeArchive:
    return UnsafeArchive(
        _("Tệp nén quá nhiều tệp con (tối đa %(entries)s).")
        % {"entries": f"{ZIP_MAX_ENTRIES:,}".replace(",", ".")}
    )


def _office_type(upload: UploadedFile[bytes]) -> FileType | None:
    """DOCX or XLSX when the zip's [Content_Types].xml names a main part of that type and
    the part is there; raises UnsafeArchive when the zip would unpack too large."""
    if _declared_entries(upload) > ZIP_MAX_ENTRIES:
        raise _too_crowded()
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        entries = archive.infolist()
        if len(entries) > ZIP_MAX_ENTRIES:
            raise _too_crowded()
        if sum(entry.file_size for entry in entries) > ZIP_MAX_UNCOMPRESSED:
            raise UnsafeArchive(
                _("Tệp giải nén ra quá lớn (tối đa %(limit)s).")
                % {"limit": filesizeformat(ZIP_MAX_UNCOMPRESSED)}
            )
        names = {entry.filename for entry in entries}
        if CONTENT_TYPES_PART not in names:
            return None
        with archive.open(CONTENT_TYPES_PART) as part:
            # Read no more than the limit, whatever size the directory claims.
            data = part.read(CONTENT_TYPES_MAX + 1)
    # Without a DOCTYPE there can be no entities to expand, and the text is bounded: the
    # standard parser is then safe here.
    if len(data) > CONTENT_TYPES_MAX or b"<!DOCTYPE" in data.upper():
        return None
    try:
        root = ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError:
        return None
    for override in root.iter(f"{_CONTENT_TYPES_NS}Override"):
        found = OFFICE_MAIN_PARTS.get(override.get("ContentType", ""))
        if found is not None and override.get("PartName", "").lstrip("/") in names:
            return found
    return None


def sniff(upload: UploadedFile[bytes]) -> FileType | None:
    """The file's real type, from its first bytes (and, for Office files, its parts).
    Raises UnsafeArchive for a zip that would unpack too large."""
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
            return _office_type(upload)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error):
            # Damaged, encrypted or compressed in a way zipfile does not read.
            return None
        finally:
            upload.seek(0)
    return None


def clean_name(name: str) -> str:
    """The name as shown to people: no folders, no control characters, not too long."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return (base or "tep")[:200]


# What may follow the last dot of a name to count as its extension.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def typed_name(name: str, found: FileType) -> str:
    """The cleaned name ending in the extension of the type found in the content, so
    that "poly.html" holding a PDF is kept and served as "poly.pdf"."""
    stem = _EXTENSION.sub("", clean_name(name)).rstrip(" .") or "tep"
    return f"{stem[: 200 - len(found.extension) - 1]}.{found.extension}"


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
    try:
        found = sniff(upload)
    except UnsafeArchive as unsafe:
        raise ValidationError(
            _("Tệp “%(name)s” không được chấp nhận: %(reason)s Vui lòng kiểm tra lại tệp.")
            % {"name": clean_name(upload.name or ""), "reason": unsafe},
            code="unsafe_archive",
        ) from None
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
        original_name=typed_name(upload.name or "", found),
    )
