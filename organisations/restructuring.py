"""Restructuring organisations: merges, splits, renames, moves and closures, each with an
effective date and the decision that ordered it.

A change is worked out in memory on a :class:`Restructuring`, which reads the
organisations it touches, their children, ancestors and memberships in a fixed number of
queries, and writes everything in bulk in :meth:`Restructuring.flush`. A service applies
one change; the loader applies a whole file's changes on one Restructuring, so a file of
1,000 merges costs the same number of queries as a file of one. Working in memory first
also gives the admin its preview: the same steps, never flushed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from .change_plans import (
    ChangePlan,
    Decision,
    MembershipStep,
    NewOrganisation,
    RestructuringError,
    _day,
)
from .models import (
    ChangeKind,
    LinkRole,
    MembersAction,
    Membership,
    Organisation,
    OrganisationChange,
    OrganisationKind,
    OrganisationName,
    User,
)
from .restructuring_write import write_changes


class Restructuring:
    """Organisations, their links and memberships held in memory while changes are
    worked out; nothing reaches the database before :meth:`flush`."""

    def __init__(self) -> None:
        self.orgs: dict[str, Organisation] = {}
        self.parent_of: dict[str, str | None] = {}
        self.successor_of: dict[str, str | None] = {}
        self.children: dict[str, list[str]] = {}
        self.members: dict[str, list[Membership]] = {}
        self.referenced: set[str] = set()
        self.created: list[str] = []
        self.dirty: dict[str, set[str]] = {}
        self.moved: dict[int, str] = {}  # membership pk → organisation code
        self.ended: set[int] = set()
        self.names: list[tuple[str, OrganisationName]] = []
        self.plans: list[ChangePlan] = []

    # Reading --------------------------------------------------------------------------

    @classmethod
    def load(cls, codes: Iterable[str], *, lock: bool = False) -> Restructuring:
        """Read the organisations with these codes, their children, their ancestors and
        their memberships: a handful of queries however many codes there are."""
        self = cls()
        codes = set(codes)
        self.referenced = codes
        rows = Organisation.objects.filter(code__in=codes)
        if lock:
            rows = rows.select_for_update()
        found = list(rows)
        by_pk: dict[int, Organisation] = {org.pk: org for org in found}
        if found:
            by_pk.update(
                {org.pk: org for org in Organisation.objects.filter(parent_id__in=list(by_pk))}
            )
        # Ancestors, level by level: the walk for a move's cycle check needs them.
        missing = {o.parent_id for o in by_pk.values() if o.parent_id and o.parent_id not in by_pk}
        while missing:
            for org in Organisation.objects.filter(pk__in=missing):
                by_pk[org.pk] = org
            missing = {
                o.parent_id for o in by_pk.values() if o.parent_id and o.parent_id not in by_pk
            }
        for org in by_pk.values():
            self._remember(org)
        for org in by_pk.values():
            parent = by_pk.get(org.parent_id) if org.parent_id else None
            self.parent_of[org.code] = parent.code if parent else None
            if parent is not None:
                self.children.setdefault(parent.code, []).append(org.code)
        referenced_pks = [org.pk for org in found]
        for membership in (
            Membership.objects.filter(organisation_id__in=referenced_pks)
            .select_related("user")
            .order_by("organisation_id", "role", "user__username")
        ):
            code = by_pk[membership.organisation_id].code
            self.members.setdefault(code, []).append(membership)
        return self

    def _remember(self, org: Organisation) -> None:
        self.orgs[org.code] = org
        self.children.setdefault(org.code, [])
        self.members.setdefault(org.code, [])

    def org(self, code: str) -> Organisation:
        try:
            return self.orgs[code]
        except KeyError:
            raise RestructuringError(
                _("Không có tổ chức mã “%(code)s”.") % {"code": code}
            ) from None

    def _label(self, code: str) -> str:
        return f"{self.orgs[code].name} ({code})" if code in self.orgs else code

    # Checks ---------------------------------------------------------------------------

    def _require_active(self, code: str, day: dt.date) -> Organisation:
        org = self.org(code)
        if org.valid_from is not None and org.valid_from > day:
            raise RestructuringError(
                _("%(org)s chỉ hoạt động từ ngày %(start)s, chưa có vào ngày %(day)s.")
                % {"org": self._label(code), "start": _day(org.valid_from), "day": _day(day)}
            )
        if org.valid_to is not None and org.valid_to < day:
            raise RestructuringError(
                _("%(org)s đã kết thúc hoạt động ngày %(end)s.")
                % {"org": self._label(code), "end": _day(org.valid_to)}
            )
        return org

    def _require_open(self, code: str, effective: dt.date) -> Organisation:
        """An organisation that ends with the change: it existed the day before and has
        no end date of its own yet."""
        org = self._require_active(code, effective - dt.timedelta(days=1))
        if org.valid_to is not None:
            raise RestructuringError(
                _("%(org)s đã kết thúc hoạt động ngày %(end)s.")
                % {"org": self._label(code), "end": _day(org.valid_to)}
            )
        return org

    @staticmethod
    def _require_decision(decision: Decision) -> None:
        if not decision.number.strip():
            raise RestructuringError(_("Cần ghi số quyết định."))

    @staticmethod
    def _require_distinct(codes: list[str]) -> None:
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise RestructuringError(
                _("Tổ chức bị ghi lặp: %(codes)s.") % {"codes": ", ".join(repeated)}
            )

    # Writing in memory ----------------------------------------------------------------

    def _touch(self, code: str, *fields: str) -> None:
        self.dirty.setdefault(code, set()).update(fields)

    def _create(self, new: NewOrganisation, effective: dt.date, default_parent: str | None) -> str:
        if new.code in self.orgs:
            raise RestructuringError(
                _("Mã “%(code)s” đã có; hãy chọn tổ chức có sẵn hoặc dùng mã khác.")
                % {"code": new.code}
            )
        if new.kind not in OrganisationKind.values:
            raise RestructuringError(
                _("Loại tổ chức “%(kind)s” không hợp lệ.") % {"kind": new.kind}
            )
        if not new.name.strip():
            raise RestructuringError(_("Tổ chức mới “%(code)s” cần có tên.") % {"code": new.code})
        parent = new.parent if new.parent is not None else default_parent
        if parent is not None:
            self._require_active(parent, effective)
        org = Organisation(
            code=new.code,
            name=new.name.strip(),
            short_name=new.short_name.strip(),
            kind=new.kind,
            valid_from=effective,
        )
        self._remember(org)
        self.created.append(new.code)
        self.parent_of[new.code] = parent
        self.successor_of[new.code] = None
        if parent is not None:
            self.children[parent].append(new.code)
        return new.code

    def _target(
        self, target: str | NewOrganisation, effective: dt.date, default_parent: str | None
    ) -> tuple[str, bool]:
        if isinstance(target, NewOrganisation):
            return self._create(target, effective, default_parent), True
        self._require_active(target, effective)
        return target, False

    def _close(
        self, code: str, effective: dt.date, successor: str | None, plan: ChangePlan
    ) -> None:
        org = self.orgs[code]
        org.valid_to = effective - dt.timedelta(days=1)
        self.successor_of[code] = successor
        self._touch(code, "valid_to", "successor")
        plan.closed.append(code)

    def _set_parent(self, code: str, parent: str | None) -> None:
        old = self.parent_of.get(code)
        if old is not None and code in self.children.get(old, []):
            self.children[old].remove(code)
        self.parent_of[code] = parent
        if parent is not None:
            self.children.setdefault(parent, []).append(code)
        self._touch(code, "parent")

    def _hand_children(
        self, code: str, effective: dt.date, to: str | None, plan: ChangePlan
    ) -> None:
        """Children still active on the effective date follow the heir; closed ones keep
        their parent, which is where their history happened."""
        active = [
            child
            for child in self.children.get(code, [])
            if (end := self.orgs[child].valid_to) is None or end >= effective
        ]
        if not active:
            return
        if to is None:
            raise RestructuringError(
                _(
                    "%(org)s còn tổ chức trực thuộc đang hoạt động (%(codes)s): hãy chuyển"
                    " hoặc kết thúc chúng trước, hoặc chọn tổ chức kế thừa."
                )
                % {"org": self._label(code), "codes": ", ".join(sorted(active))}
            )
        for child in active:
            self._set_parent(child, to)
            plan.children_moved.append((child, code, to))
            plan.links.append((child, LinkRole.CHILD))

    def _hand_members(self, code: str, to: str | None, members: str, plan: ChangePlan) -> None:
        target = to if members == MembersAction.MOVE else None
        present = (
            {(m.user_id, m.role) for m in self.members[target]} if target is not None else set()
        )
        for membership in self.members[code]:
            already = target is not None and (membership.user_id, membership.role) in present
            if target is None or already:
                self.moved.pop(membership.pk, None)
                self.ended.add(membership.pk)
            else:
                self.moved[membership.pk] = target
                self.members[target].append(membership)
                present.add((membership.user_id, membership.role))
            plan.memberships.append(
                MembershipStep(
                    user_id=membership.user_id,
                    person=str(membership.user),
                    role=membership.role,
                    role_label=str(membership.get_role_display()),
                    source=code,
                    target=target,
                    already_there=already,
                )
            )
        self.members[code] = []

    def _start(self, kind: str, effective: dt.date, decision: Decision, note: str, key: str | None):
        self._require_decision(decision)
        return ChangePlan(kind=kind, effective_on=effective, decision=decision, note=note, key=key)

    def _finish(self, plan: ChangePlan) -> ChangePlan:
        plan.names = {code: self.orgs[code].name for code, _role in plan.links}
        for step in plan.memberships:
            plan.names.setdefault(step.source, self.orgs[step.source].name)
        self.plans.append(plan)
        return plan

    # The five changes -----------------------------------------------------------------

    def merge(
        self,
        *,
        sources: list[str],
        target: str | NewOrganisation,
        effective: dt.date,
        decision: Decision,
        note: str = "",
        key: str | None = None,
        members: str = MembersAction.MOVE,
    ) -> ChangePlan:
        plan = self._start(ChangeKind.MERGE, effective, decision, note, key)
        if not sources:
            raise RestructuringError(_("Cần ít nhất một tổ chức được hợp nhất."))
        self._require_distinct(sources)
        target_code = target.code if isinstance(target, NewOrganisation) else target
        if target_code in sources:
            raise RestructuringError(
                _("Tổ chức nhận %(code)s không thể đồng thời là tổ chức được hợp nhất.")
                % {"code": target_code}
            )
        for code in sources:
            self._require_open(code, effective)
        target_code, created = self._target(target, effective, self.parent_of.get(sources[0]))
        if created:
            plan.created.append(target_code)
        # All sources close before any child moves, so a source that is the child of
        # another source closes rather than follows it.
        for code in sources:
            self._close(code, effective, target_code, plan)
        for code in sources:
            self._hand_children(code, effective, target_code, plan)
            self._hand_members(code, target_code, members, plan)
            plan.links.append((code, LinkRole.SOURCE))
        plan.links.append((target_code, LinkRole.HEIR))
        return self._finish(plan)

    def split(
        self,
        *,
        source: str,
        targets: list[str | NewOrganisation],
        heir: str,
        effective: dt.date,
        decision: Decision,
        note: str = "",
        key: str | None = None,
        members: str = MembersAction.MOVE,
    ) -> ChangePlan:
        plan = self._start(ChangeKind.SPLIT, effective, decision, note, key)
        codes = [t.code if isinstance(t, NewOrganisation) else t for t in targets]
        if len(codes) < 2:
            raise RestructuringError(_("Chia tách cần ít nhất hai tổ chức nhận."))
        self._require_distinct(codes)
        if source in codes:
            raise RestructuringError(
                _("Tổ chức bị chia tách %(code)s không thể đồng thời là tổ chức nhận.")
                % {"code": source}
            )
        if heir not in codes:
            raise RestructuringError(
                _("Tổ chức kế thừa %(heir)s phải là một trong các tổ chức nhận.") % {"heir": heir}
            )
        self._require_open(source, effective)
        for target in targets:
            code, created = self._target(target, effective, self.parent_of.get(source))
            if created:
                plan.created.append(code)
        self._close(source, effective, heir, plan)
        self._hand_children(source, effective, heir, plan)
        self._hand_members(source, heir, members, plan)
        plan.links.append((source, LinkRole.SOURCE))
        for code in codes:
            plan.links.append((code, LinkRole.HEIR if code == heir else LinkRole.TARGET))
        return self._finish(plan)

    def rename(
        self,
        *,
        organisation: str,
        name: str,
        short_name: str | None,
        effective: dt.date,
        decision: Decision,
        note: str = "",
        key: str | None = None,
    ) -> ChangePlan:
        plan = self._start(ChangeKind.RENAME, effective, decision, note, key)
        org = self._require_active(organisation, effective)
        name = name.strip()
        short_name = org.short_name if short_name is None else short_name.strip()
        if not name:
            raise RestructuringError(_("Cần ghi tên mới."))
        if (name, short_name) == (org.name, org.short_name):
            raise RestructuringError(
                _("Tên mới trùng với tên hiện tại của %(org)s.")
                % {"org": self._label(organisation)}
            )
        since = org.name_since or org.valid_from
        if since is not None and effective <= since:
            raise RestructuringError(
                _("Ngày hiệu lực phải sau ngày %(org)s bắt đầu dùng tên hiện tại (%(since)s).")
                % {"org": self._label(organisation), "since": _day(since)}
            )
        plan.old_name = (org.name, org.short_name)
        plan.new_name = (name, short_name)
        self.names.append(
            (
                organisation,
                OrganisationName(
                    name=org.name,
                    short_name=org.short_name,
                    valid_from=since,
                    valid_to=effective - dt.timedelta(days=1),
                ),
            )
        )
        org.name, org.short_name, org.name_since = name, short_name, effective
        self._touch(organisation, "name", "short_name", "name_since")
        plan.links.append((organisation, LinkRole.SUBJECT))
        return self._finish(plan)

    def move(
        self,
        *,
        organisation: str,
        parent: str,
        effective: dt.date,
        decision: Decision,
        note: str = "",
        key: str | None = None,
    ) -> ChangePlan:
        plan = self._start(ChangeKind.MOVE, effective, decision, note, key)
        self._require_active(organisation, effective)
        self._require_active(parent, effective)
        if self.parent_of.get(organisation) == parent:
            raise RestructuringError(
                _("%(org)s đã trực thuộc %(parent)s.")
                % {"org": self._label(organisation), "parent": self._label(parent)}
            )
        ancestor: str | None = parent
        seen: set[str] = set()
        while ancestor is not None and ancestor not in seen:
            if ancestor == organisation:
                raise RestructuringError(
                    _(
                        "Không thể chuyển %(org)s vào trực thuộc %(parent)s: đó là chính nó hoặc"
                        " một tổ chức trực thuộc nó."
                    )
                    % {"org": self._label(organisation), "parent": self._label(parent)}
                )
            seen.add(ancestor)
            ancestor = self.parent_of.get(ancestor)
        plan.old_parent = self.parent_of.get(organisation)
        plan.new_parent = parent
        self._set_parent(organisation, parent)
        plan.links.append((organisation, LinkRole.SUBJECT))
        return self._finish(plan)

    def close(
        self,
        *,
        organisation: str,
        successor: str | None,
        effective: dt.date,
        decision: Decision,
        note: str = "",
        key: str | None = None,
        members: str = MembersAction.MOVE,
    ) -> ChangePlan:
        """Without a successor, memberships end: there is nowhere to move them."""
        plan = self._start(ChangeKind.CLOSE, effective, decision, note, key)
        self._require_open(organisation, effective)
        if successor is not None:
            if successor == organisation:
                raise RestructuringError(_("Một tổ chức không thể kế thừa chính nó."))
            self._require_active(successor, effective)
        self._close(organisation, effective, successor, plan)
        self._hand_children(organisation, effective, successor, plan)
        self._hand_members(organisation, successor, members, plan)
        plan.links.append((organisation, LinkRole.SOURCE))
        if successor is not None:
            plan.links.append((successor, LinkRole.HEIR))
        return self._finish(plan)

    # Writing to the database ----------------------------------------------------------

    def flush(self, *, actor: User | None = None) -> list[OrganisationChange]:
        """Write every change worked out so far, in bulk. Call inside a transaction."""
        return write_changes(self, actor=actor)
