"""Writing a restructuring worked out in memory (organisations.restructuring) to the
database, in bulk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import (
    Membership,
    Organisation,
    OrganisationChange,
    OrganisationChangeLink,
    OrganisationName,
    User,
)
from .signals import structure_changed

if TYPE_CHECKING:
    from .restructuring import Restructuring


def write_changes(work: Restructuring, *, actor: User | None = None) -> list[OrganisationChange]:
    """Write every change worked out on ``work`` so far, in bulk: the new organisations,
    then the links to them, former names, memberships, the changes and their links; a
    fixed number of queries however many changes. Call inside a transaction."""
    pending: set[str] = set()
    new_rows = [work.orgs[code] for code in work.created]
    for code in work.created:
        for name in ("parent", "successor"):
            other = (work.parent_of if name == "parent" else work.successor_of).get(code)
            other_pk = work.orgs[other].pk if other else None
            setattr(work.orgs[code], f"{name}_id", other_pk)
            if other and other_pk is None:
                pending.add(code)
    Organisation.objects.bulk_create(new_rows)
    for code in pending:
        work.dirty.setdefault(code, set()).update(("parent", "successor"))
    updates = {code: fields for code, fields in work.dirty.items() if code not in work.created}
    for code in pending:
        updates[code] = work.dirty[code]
    if updates:
        fields: set[str] = set().union(*updates.values())
        rows = []
        for code in updates:
            org = work.orgs[code]
            if "parent" in fields:
                parent = work.parent_of.get(code)
                org.parent_id = work.orgs[parent].pk if parent else None
            if "successor" in fields:
                successor = work.successor_of.get(code)
                if code in work.successor_of:
                    org.successor_id = work.orgs[successor].pk if successor else None
            rows.append(org)
        Organisation.objects.bulk_update(rows, sorted(fields))
    names = []
    for code, former in work.names:
        former.organisation_id = work.orgs[code].pk
        names.append(former)
    OrganisationName.objects.bulk_create(names)
    if work.ended:
        Membership.objects.filter(pk__in=work.ended).delete()
    moved = []
    for membership in (m for members in work.members.values() for m in members):
        if membership.pk in work.moved and membership.pk not in work.ended:
            membership.organisation_id = work.orgs[work.moved[membership.pk]].pk
            moved.append(membership)
    Membership.objects.bulk_update(moved, ["organisation"])
    changes = OrganisationChange.objects.bulk_create(
        [
            OrganisationChange(
                kind=plan.kind,
                effective_on=plan.effective_on,
                decision_number=plan.decision.number.strip(),
                decision_date=plan.decision.date,
                decision_issuer=plan.decision.issuer.strip(),
                note=plan.note.strip(),
                key=plan.key,
                applied_by=actor,
                details=plan.details(),
            )
            for plan in work.plans
        ]
    )
    OrganisationChangeLink.objects.bulk_create(
        [
            OrganisationChangeLink(change=change, organisation=work.orgs[code], role=role)
            for change, plan in zip(changes, work.plans, strict=True)
            for code, role in plan.links
        ]
    )
    work.plans = []
    structure_changed.send(sender=Organisation)
    return changes
