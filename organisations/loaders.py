"""Loading organisations from a data file (see data/SCHEMA.md)."""

from pathlib import Path

from django.db import transaction

from plan112.datafiles import DataFileError, SyncStats, read_yaml, sync_row

from .models import Organisation, OrganisationKind


@transaction.atomic
def organisations_load(*, path: Path | str) -> SyncStats:
    """Create or update the organisations a file lists; all or nothing.

    Organisations missing from the file are left alone: they are never deleted, only
    closed (valid_to), because reports stay attributed to them."""
    root = read_yaml(path)
    entries = root.require("organisations").items()
    stats = SyncStats()
    seen: dict[str, object] = {}
    links: list[tuple[object, str, object]] = []
    for entry in entries:
        code = entry.require("code").code()
        if code in seen:
            raise entry.get("code").error(f"mã '{code}' bị lặp (duplicate code).")
        values = {
            "name": entry.require("name").text(max_length=255),
            "short_name": entry.get("short_name").text(max_length=100),
            "kind": entry.require("kind").choice(OrganisationKind),
            "valid_from": entry.get("valid_from").date(),
            "valid_to": entry.get("valid_to").date(),
            "email": entry.get("email").text(max_length=254),
        }
        if (
            values["valid_from"]
            and values["valid_to"]
            and values["valid_to"] < values["valid_from"]
        ):
            raise entry.get("valid_to").error("ngày kết thúc trước ngày bắt đầu.")
        seen[code] = entry
        links.append((entry, code, values))

    # Two passes: parents and successors may be listed after the organisations naming them.
    rows = {
        code: sync_row(Organisation, stats, {"code": code}, values) for _, code, values in links
    }
    for entry, code, _values in links:
        relations = {}
        for field in ("parent", "successor"):
            target = entry.get(field).text()
            if not target:
                relations[f"{field}_id"] = None
                continue
            other = rows.get(target) or Organisation.objects.filter(code=target).first()
            if other is None:
                raise entry.get(field).error(f"không có tổ chức mã '{target}' (unknown code).")
            if other.code == code:
                raise entry.get(field).error("một tổ chức không thể trỏ tới chính nó.")
            relations[f"{field}_id"] = other.pk
        if relations["successor_id"] and not rows[code].valid_to:
            raise entry.get("successor").error(
                "chỉ tổ chức đã có ngày kết thúc (valid_to) mới có tổ chức kế thừa."
            )
        sync_row(Organisation, stats, {"code": code}, relations)
    _check_no_cycles(rows.values())
    return stats


def _check_no_cycles(organisations) -> None:
    for org in organisations:
        seen = {org.pk}
        current = Organisation.objects.filter(pk=org.parent_id).first() if org.parent_id else None
        while current is not None:
            if current.pk in seen:
                raise DataFileError(
                    f"Quan hệ trực thuộc của '{org.code}' tạo thành vòng lặp (parent cycle)."
                )
            seen.add(current.pk)
            current = current.parent
