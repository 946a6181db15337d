"""Loading organisations from a data file (see data/SCHEMA.md)."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from plan112.datafiles import DataFileError, Node, SyncStats, read_yaml, sync_row

from .change_plans import Decision, NewOrganisation, RestructuringError
from .models import (
    ChangeKind,
    MembersAction,
    Organisation,
    OrganisationChange,
    OrganisationChangeLink,
    OrganisationKind,
)
from .restructuring import Restructuring
from .signals import structure_changed

# Fields a restructuring change sets: once a change has touched an organisation, listing
# it again (an older file loaded on every deploy) must not undo what the change did.
_CHANGE_FIELDS = ("name", "short_name", "valid_from", "valid_to", "parent", "successor")


@dataclass
class LoadStats(SyncStats):
    skipped: list[str] = field(default_factory=list)  # keys of changes applied before

    def summary(self) -> str:
        text = super().summary()
        if self.skipped:
            text += f"; bỏ qua {len(self.skipped)} thay đổi đã áp dụng trước đó (already applied)"
        return text


@transaction.atomic
def organisations_load(*, path: Path | str) -> LoadStats:
    """Create or update the organisations a file lists, then apply its restructuring
    changes in order; all or nothing.

    Organisations missing from the file are left alone: they are never deleted, only
    closed (valid_to), because reports stay attributed to them."""
    root = read_yaml(path)
    if root.get("organisations").value is None and root.get("changes").value is None:
        raise root.error("cần ít nhất một trong hai khóa 'organisations' hoặc 'changes'.")
    stats = LoadStats()
    _load_organisations(root.get("organisations").items(), stats)
    _apply_changes(root.get("changes").items(), stats)
    structure_changed.send(sender=Organisation)
    return stats


def _load_organisations(entries: list[Node], stats: LoadStats) -> None:
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
            "document": _document(entry.get("document")),
        }
        if (
            values["valid_from"]
            and values["valid_to"]
            and values["valid_to"] < values["valid_from"]
        ):
            raise entry.get("valid_to").error("ngày kết thúc trước ngày bắt đầu.")
        seen[code] = entry
        links.append((entry, code, values))

    changed = set(
        OrganisationChangeLink.objects.filter(organisation__code__in=list(seen)).values_list(
            "organisation__code", flat=True
        )
    )
    for _entry, code, values in links:
        if code in changed:
            for name in _CHANGE_FIELDS:
                values.pop(name, None)
    # Two passes: parents and successors may be listed after the organisations naming them.
    rows = {
        code: sync_row(Organisation, stats, {"code": code}, values) for _, code, values in links
    }
    for entry, code, _values in links:
        relations = {}
        for name in ("parent", "successor"):
            target = entry.get(name).text()
            if not target:
                relations[f"{name}_id"] = None
                continue
            other = rows.get(target) or Organisation.objects.filter(code=target).first()
            if other is None:
                raise entry.get(name).error(f"không có tổ chức mã '{target}' (unknown code).")
            if other.code == code:
                raise entry.get(name).error("một tổ chức không thể trỏ tới chính nó.")
            relations[f"{name}_id"] = other.pk
        if code in changed:
            continue
        if relations["successor_id"] and not rows[code].valid_to:
            raise entry.get("successor").error(
                "chỉ tổ chức đã có ngày kết thúc (valid_to) mới có tổ chức kế thừa."
            )
        sync_row(Organisation, stats, {"code": code}, relations)
    _check_no_cycles(rows.values())


# Restructuring changes ------------------------------------------------------------------


_DOCUMENT_TEXTS = ("superior", "suffix", "place", "collective", "head_title", "addressee")
_SIGNER_AUTHORITIES = ("", "tm", "tl", "kt")


def _document(node: Node) -> dict:
    """The `document:` block: how the organisation signs what it issues (data/SCHEMA.md)."""
    if node.value is None:
        return {}
    known = {*_DOCUMENT_TEXTS, "issuer", "signer", "yearly_summary"}
    for key in node._mapping():
        if key not in known:
            raise node.error(f"khóa '{key}' không dùng được ở đây (unknown key).")
    document: dict = {}
    for key in _DOCUMENT_TEXTS:
        if node.get(key).value is not None:
            document[key] = node.get(key).text(max_length=255)
    if node.get("issuer").value is not None:
        document["issuer"] = node.get("issuer").text_list()
    if node.get("yearly_summary").value is not None:
        document["yearly_summary"] = node.get("yearly_summary").boolean(False)
    signer = node.get("signer")
    if signer.value is not None:
        for key in signer._mapping():
            if key not in ("authority", "title", "name"):
                raise signer.error(f"khóa '{key}' không dùng được ở đây (unknown key).")
        authority = signer.get("authority").text()
        if authority not in _SIGNER_AUTHORITIES:
            raise signer.get("authority").error("phải là '', tm, tl hoặc kt.")
        document["signer"] = {
            "authority": authority,
            "title": signer.get("title").text(max_length=150),
            "name": signer.get("name").text(max_length=150),
        }
    return document


def _new_or_code(node: Node) -> str | NewOrganisation:
    if isinstance(node.value, dict):
        return NewOrganisation(
            code=node.require("code").code(),
            name=node.require("name").text(max_length=255),
            short_name=node.get("short_name").text(max_length=100),
            kind=node.require("kind").choice(OrganisationKind),
            parent=node.get("parent").text() or None,
        )
    return node.code()


def _codes_of(item: str | NewOrganisation) -> list[str]:
    if isinstance(item, NewOrganisation):
        return [item.code, *([item.parent] if item.parent else [])]
    return [item]


def _read_change(entry: Node) -> tuple[str, str, dict, list[str]]:
    """(key, kind, arguments for the Restructuring method, codes it names)."""
    key = entry.require("key").code()
    kind = entry.require("kind").choice(ChangeKind)
    decision_node = entry.require("decision")
    decision = Decision(
        number=decision_node.require("number").text(blank=False, max_length=100),
        date=decision_node.get("date").date(),
        issuer=decision_node.get("issuer").text(max_length=255),
    )
    effective = entry.require("effective").date()
    arguments: dict = {
        "effective": effective,
        "decision": decision,
        "note": entry.get("note").text(),
        "key": key,
    }
    codes: list[str] = []
    if kind == ChangeKind.MERGE:
        sources = entry.require("from").items()
        if not sources:
            raise entry.get("from").error("cần ít nhất một tổ chức (at least one code).")
        arguments["sources"] = [node.code() for node in sources]
        arguments["target"] = _new_or_code(entry.require("into"))
        codes += [*arguments["sources"], *_codes_of(arguments["target"])]
    elif kind == ChangeKind.SPLIT:
        arguments["source"] = entry.require("from").code()
        arguments["targets"] = [_new_or_code(node) for node in entry.require("into").items()]
        arguments["heir"] = entry.require("heir").code()
        codes.append(arguments["source"])
        for target in arguments["targets"]:
            codes += _codes_of(target)
    elif kind == ChangeKind.RENAME:
        arguments["organisation"] = entry.require("organisation").code()
        arguments["name"] = entry.require("name").text(max_length=255)
        short = entry.get("short_name")
        arguments["short_name"] = short.text(max_length=100) if short.value is not None else None
        codes.append(arguments["organisation"])
    elif kind == ChangeKind.MOVE:
        arguments["organisation"] = entry.require("organisation").code()
        arguments["parent"] = entry.require("parent").code()
        codes += [arguments["organisation"], arguments["parent"]]
    else:
        arguments["organisation"] = entry.require("organisation").code()
        successor = entry.get("successor")
        arguments["successor"] = successor.code() if successor.value else None
        codes += [arguments["organisation"], arguments["successor"]]
    if kind in (ChangeKind.MERGE, ChangeKind.SPLIT, ChangeKind.CLOSE):
        arguments["members"] = entry.get("members").choice(MembersAction, MembersAction.MOVE)
    elif entry.get("members").value is not None:
        raise entry.get("members").error("chỉ dùng cho merge, split và close.")
    return key, kind, arguments, [c for c in codes if c]


def _apply_changes(entries: list[Node], stats: LoadStats) -> None:
    """Apply the changes in file order on one Restructuring, written in bulk at the end:
    the queries do not grow with the number of changes."""
    if not entries:
        return
    read = []
    keys: set[str] = set()
    for entry in entries:
        key, kind, arguments, codes = _read_change(entry)
        if key in keys:
            raise entry.get("key").error(f"khóa '{key}' bị lặp (duplicate key).")
        keys.add(key)
        read.append((entry, key, kind, arguments, codes))
    applied = set(OrganisationChange.objects.filter(key__in=keys).values_list("key", flat=True))
    todo = [row for row in read if row[1] not in applied]
    stats.skipped = [key for _, key, *_rest in read if key in applied]
    if not todo:
        return
    work = Restructuring.load({code for row in todo for code in row[4]}, lock=True)
    for entry, key, kind, arguments, _codes in todo:
        try:
            plan = getattr(work, kind)(**arguments)
        except RestructuringError as exc:
            raise entry.error(f"thay đổi '{key}': {exc}") from exc
        stats.created += 1 + len(plan.created)
        stats.details.append(f"+ thay đổi {key} ({kind})")
    work.flush()


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
