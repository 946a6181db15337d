"""Reading the YAML data files (plans, organisations) with errors people can act on.

Every error names the file, the key path (``tasks[2].indicators[0].code``) and, where
YAML knows it, the line. Writing goes through :func:`sync_row` and :func:`sync_m2m`,
which touch the database only where a value differs, so loading the same file twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.db import models


class DataFileError(Exception):
    """A data file that cannot be loaded. The message is meant for the person loading it."""


# libyaml's parser when PyYAML was built with it (the wheels are): eight times faster
# than the pure-Python one on the organisations file, with the same lines and errors.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader that remembers the line of every mapping and sequence."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        loader.construct_object(key, deep=True): key.start_mark.line + 1 for key, _ in node.value
    }
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list:
    items = LineList(loader.construct_sequence(node, deep=True))
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


class LineDict(dict):
    line: int = 0
    key_lines: dict


class LineList(list):
    lines: list


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path | str) -> Node:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: không tìm thấy tệp (file not found).") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: tệp không phải văn bản UTF-8 (not UTF-8).") from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", dòng {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataFileError(f"{path}{where}: YAML không hợp lệ (invalid YAML): {problem}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: tệp phải là một bảng khóa–giá trị (a YAML mapping).")
    return Node(path, "", data, getattr(data, "line", 1))


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")


@dataclass
class Node:
    """A value in a data file, with where it came from, for error messages."""

    path: Path
    key: str
    value: Any
    line: int = 0

    def error(self, message: str) -> DataFileError:
        where = f", dòng {self.line}" if self.line else ""
        key = self.key or "(gốc)"
        return DataFileError(f"{self.path}{where}, khóa {key}: {message}")

    def _child(self, name: str | int, value: Any, line: int | None) -> Node:
        key = (
            f"{self.key}[{name}]"
            if isinstance(name, int)
            else (f"{self.key}.{name}" if self.key else name)
        )
        return Node(self.path, key, value, line or self.line)

    def _mapping(self) -> dict:
        if not isinstance(self.value, dict):
            raise self.error("phải là một bảng khóa–giá trị (expected a mapping).")
        return self.value

    def get(self, name: str, default: Any = None) -> Node:
        mapping = self._mapping()
        line = getattr(mapping, "key_lines", {}).get(name)
        return self._child(name, mapping.get(name, default), line)

    def require(self, name: str) -> Node:
        mapping = self._mapping()
        if name not in mapping or mapping[name] in (None, ""):
            raise self.error(f"thiếu trường bắt buộc '{name}' (missing required key).")
        return self.get(name)

    def items(self) -> list[Node]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            raise self.error("phải là một danh sách (expected a list).")
        lines = getattr(self.value, "lines", [])
        return [
            self._child(i, item, lines[i] if i < len(lines) else None)
            for i, item in enumerate(self.value)
        ]

    # Typed readers -------------------------------------------------------------------

    def text(self, *, blank: bool = True, max_length: int | None = None) -> str:
        if self.value is None:
            value = ""
        elif isinstance(self.value, str | int | float) and not isinstance(self.value, bool):
            value = str(self.value).strip()
        else:
            raise self.error("phải là một chuỗi văn bản (expected text).")
        if not blank and not value:
            raise self.error("không được để trống (must not be empty).")
        if max_length is not None and len(value) > max_length:
            raise self.error(f"dài quá {max_length} ký tự (longer than {max_length}).")
        return value

    def code(self) -> str:
        value = self.text(blank=False, max_length=64)
        if not _CODE.match(value):
            raise self.error(f"mã '{value}' chỉ được gồm chữ, số và _ . - / (invalid code).")
        return value

    def integer(self, *, minimum: int | None = None) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.error(f"phải là số nguyên, không phải {self.value!r} (expected integer).")
        if minimum is not None and self.value < minimum:
            raise self.error(f"phải lớn hơn hoặc bằng {minimum}.")
        return self.value

    def boolean(self, default: bool) -> bool:
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.error("phải là true hoặc false (expected a boolean).")
        return self.value

    def date(self) -> dt.date | None:
        if self.value is None or self.value == "":
            return None
        if isinstance(self.value, dt.date):
            return self.value
        if isinstance(self.value, str):
            try:
                return dt.date.fromisoformat(self.value)
            except ValueError:
                pass
        raise self.error(f"ngày '{self.value}' phải có dạng YYYY-MM-DD (expected ISO date).")

    def choice(self, choices: type[models.TextChoices], default: str | None = None) -> str:
        if self.value is None and default is not None:
            return default
        value = self.text(blank=False)
        if value not in choices.values:
            allowed = ", ".join(choices.values)
            raise self.error(f"giá trị '{value}' không hợp lệ; chọn một trong: {allowed}.")
        return value

    def text_list(self) -> list[str]:
        return [item.text(blank=False) for item in self.items()]


@dataclass
class SyncStats:
    """Counts what a load changed, so a second run can say it changed nothing."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    details: list[str] = field(default_factory=list)
    # Rows created in this run: filling in their relations afterwards is not an update.
    fresh: set[tuple[str, object]] = field(default_factory=set)

    def is_fresh(self, obj: models.Model) -> bool:
        return (obj._meta.label, obj.pk) in self.fresh

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        if not self.changed:
            return "không có thay đổi (no changes)"
        return f"thêm {self.created}, cập nhật {self.updated}, xóa {self.deleted}"


M = TypeVar("M", bound=models.Model)


def sync_row(model: type[M], stats: SyncStats, lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """Create the row, or update only the fields whose values differ."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        stats.created += 1
        stats.fresh.add((obj._meta.label, obj.pk))
        stats.details.append(f"+ {model._meta.model_name} {obj}")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        update_fields = [*changed]
        if any(f.name == "updated_at" for f in model._meta.get_fields()):
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)
        if not stats.is_fresh(obj):
            stats.updated += 1
        stats.details.append(f"~ {model._meta.model_name} {obj}: {', '.join(changed)}")
    return obj


def sync_m2m(manager: Any, wanted: list[models.Model], stats: SyncStats) -> None:
    current = {obj.pk for obj in manager.all()}
    target = {obj.pk for obj in wanted}
    if current != target:
        manager.set(wanted)
        if not stats.is_fresh(manager.instance):
            stats.updated += 1


def delete_rows(queryset: models.QuerySet, stats: SyncStats) -> None:
    """Delete rows the file no longer has. Rows that reports still use are protected by
    the database (PROTECT) and surface as an error instead of vanishing."""
    from django.db.models import ProtectedError

    for obj in queryset:
        try:
            obj.delete()
        except ProtectedError as exc:
            raise DataFileError(
                f"Không thể xóa {obj._meta.verbose_name} '{obj}' vì đã có dữ liệu báo cáo"
                " dùng đến; hãy giữ lại mục này trong tệp (it is still used by reports)."
            ) from exc
        stats.deleted += 1
        stats.details.append(f"- {obj._meta.model_name} {obj}")
