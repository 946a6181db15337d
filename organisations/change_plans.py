"""What a restructuring is asked to do and what it plans: the decision, new
organisations, the steps for people's memberships, and the errors it refuses with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .models import (
    ChangeKind,
)


class RestructuringError(Exception):
    """A change that cannot be made as asked. The message is meant for the administrator."""


@dataclass(frozen=True)
class Decision:
    number: str
    date: dt.date | None = None
    issuer: str = ""


@dataclass(frozen=True)
class NewOrganisation:
    """An organisation a change creates. ``parent`` None: the parent of the (first)
    organisation it comes from."""

    code: str
    name: str
    kind: str
    short_name: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class MembershipStep:
    user_id: int
    person: str
    role: str
    role_label: str
    source: str  # organisation code
    target: str | None  # None: the membership ends
    already_there: bool = False  # the person already had this role at the target

    @property
    def moves(self) -> bool:
        return self.target is not None and not self.already_there

    def as_json(self) -> dict[str, object]:
        return {
            "user": self.user_id,
            "person": self.person,
            "role": self.role,
            "from": self.source,
            "to": self.target,
            "action": "moved" if self.moves else ("kept" if self.already_there else "ended"),
        }


@dataclass
class ChangePlan:
    """What one change does: the preview an administrator confirms, and the record kept."""

    kind: str
    effective_on: dt.date
    decision: Decision
    note: str = ""
    key: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # (code, LinkRole)
    created: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    children_moved: list[tuple[str, str | None, str]] = field(default_factory=list)
    memberships: list[MembershipStep] = field(default_factory=list)
    old_name: tuple[str, str] | None = None
    new_name: tuple[str, str] | None = None
    old_parent: str | None = None
    new_parent: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # code → name, for the preview

    @property
    def moved_memberships(self) -> list[MembershipStep]:
        return [step for step in self.memberships if step.target is not None]

    @property
    def ended_memberships(self) -> list[MembershipStep]:
        return [step for step in self.memberships if step.target is None]

    def details(self) -> dict[str, object]:
        data: dict[str, object] = {
            "created": self.created,
            "closed": self.closed,
            "children_moved": [
                {"organisation": code, "from": old, "to": new}
                for code, old, new in self.children_moved
            ],
            "memberships": [step.as_json() for step in self.memberships],
        }
        if self.old_name is not None and self.new_name is not None:
            data["old_name"] = {"name": self.old_name[0], "short_name": self.old_name[1]}
            data["new_name"] = {"name": self.new_name[0], "short_name": self.new_name[1]}
        if self.kind == ChangeKind.MOVE:
            data["old_parent"] = self.old_parent
            data["new_parent"] = self.new_parent
        return data


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
