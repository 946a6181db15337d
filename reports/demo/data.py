"""The demo's words and numbers, read once from demo.yaml next to this module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from plan112.datafiles import Node, read_yaml

PATH = Path(__file__).with_name("demo.yaml")


@dataclass(frozen=True)
class StaffAccount:
    username: str
    full_name: str
    position: str
    organisation: str  # an organisation code
    role: str


@dataclass(frozen=True)
class DemoData:
    try_first: str  # an organisation code
    reporter_name: str  # "{organisation}" is the organisation's display name
    reporter_position: str
    staff: list[StaffAccount]
    admin: dict[str, str]
    base: dict[str, tuple[float, float]]
    shares: dict[str, tuple[float, float]]
    territorial: frozenset[str]
    kind_scale: dict[str, float]
    task_texts: dict[int, dict]
    generic: dict
    causes: list[str]
    overall: list[str]
    proposals: list[str]
    return_comments: list[str]
    accept_comment: str
    surnames: list[str]
    middle: list[str]
    given: list[str]
    khmer: list[str]


def _ranges(node: Node) -> dict[str, tuple[float, float]]:
    out = {}
    for code, value in node.value.items():
        pair = node.get(code)
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) for v in value)
            and value[0] <= value[1]
        ):
            raise pair.error("phải là [thấp, cao] (expected [low, high]).")
        out[code] = (value[0], value[1])
    return out


def _texts(node: Node) -> dict:
    """A task's texts: lists of alternatives, or one text; territorial is a flag."""
    out: dict = {}
    for key, value in node.value.items():
        child = node.get(key)
        if key == "territorial":
            out[key] = child.boolean(False)
        elif isinstance(value, list):
            out[key] = child.text_list()
        else:
            out[key] = child.text(blank=False)
    return out


@cache
def demo_data() -> DemoData:
    root = read_yaml(PATH)
    accounts = root.require("accounts")
    figures = root.require("figures")
    names = root.require("names")
    tasks = root.require("task_texts")
    staff = [
        StaffAccount(**{key: item.require(key).text() for key in StaffAccount.__annotations__})
        for item in accounts.require("staff").items()
    ]
    admin = accounts.require("admin")
    return DemoData(
        try_first=accounts.require("try_first").code(),
        reporter_name=accounts.require("reporter_name").text(),
        reporter_position=accounts.require("reporter_position").text(),
        staff=staff,
        admin={key: admin.require(key).text() for key in ("username", "full_name", "position")},
        base=_ranges(figures.require("base")),
        shares=_ranges(figures.require("shares")),
        territorial=frozenset(figures.require("territorial").text_list()),
        kind_scale={str(k): float(v) for k, v in figures.require("kind_scale").value.items()},
        task_texts={int(number): _texts(tasks.get(number)) for number in tasks.value},
        generic=_texts(root.require("generic")),
        causes=root.require("causes").text_list(),
        overall=root.require("overall").text_list(),
        proposals=root.require("proposals").text_list(),
        return_comments=root.require("return_comments").text_list(),
        accept_comment=root.require("accept_comment").text(),
        surnames=names.require("surnames").text_list(),
        middle=names.require("middle").text_list(),
        given=names.require("given").text_list(),
        khmer=names.require("khmer").text_list(),
    )
