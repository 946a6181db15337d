"""Loading a plan from its data file (see data/SCHEMA.md).

The whole file is read and checked before anything is written, and the write is one
transaction, so a bad file changes nothing. Rows are matched by their natural keys
(plan code, task number, indicator code, …) and only differing fields are saved: a
second load of the same file changes nothing, and an edited file updates in place
without touching reports.
"""

from pathlib import Path

from django.db import transaction

from organisations.models import Organisation, OrganisationKind
from organisations.signals import structure_changed
from plan112.datafiles import (
    DataFileError,
    Node,
    SyncStats,
    delete_rows,
    read_yaml,
    sync_m2m,
    sync_row,
)

from .models import (
    ActionActor,
    Aggregation,
    ChildrenRule,
    Contributor,
    Document,
    DocumentKind,
    Duty,
    DutyParticipant,
    Indicator,
    Operator,
    ParticipantRole,
    Plan,
    Purpose,
    Recurrence,
    ReportingLine,
    ReportingScope,
    ReportsTo,
    Task,
    TaskAction,
    ValidationRule,
    ValueType,
)


class _Context:
    """What the loader has read so far, to resolve references with clear errors."""

    def __init__(self, root: Node):
        self.root = root
        self.stats = SyncStats()
        self.documents: dict[str, Document] = {}
        self.tasks: dict[int, Task] = {}
        self.indicator_codes: dict[str, int] = {}
        self._organisations: dict[str, Organisation] | None = None

    def documents_for(self, node: Node) -> list[Document]:
        result = []
        for item in node.items():
            number = item.text(blank=False)
            if number not in self.documents:
                raise item.error(
                    f"văn bản '{number}' chưa được khai báo trong 'documents' (unknown document)."
                )
            result.append(self.documents[number])
        return result

    def organisation(self, node: Node) -> Organisation:
        if self._organisations is None:
            self._organisations = {o.code: o for o in Organisation.objects.all()}
        code = node.text(blank=False)
        if code not in self._organisations:
            raise node.error(
                f"không có tổ chức mã '{code}'; hãy nạp danh sách tổ chức trước"
                " (unknown organisation; run load_organisations first)."
            )
        return self._organisations[code]

    def selector(self, node: Node) -> dict:
        """'kind:<kind>' selects a kind of organisation, anything else is a code."""
        value = node.text(blank=False)
        if value.startswith("kind:"):
            kind = value.removeprefix("kind:")
            if kind not in OrganisationKind.values:
                raise node.error(f"loại tổ chức '{kind}' không hợp lệ.")
            return {"organisation": None, "kind": kind}
        return {"organisation": self.organisation(node), "kind": ""}

    def task_numbers(self, node: Node) -> list[int]:
        if node.value == "all":
            return sorted(self.tasks)
        numbers = []
        for item in node.items():
            number = item.integer(minimum=1)
            if number not in self.tasks:
                raise item.error(f"kế hoạch không có nhiệm vụ số {number}.")
            numbers.append(number)
        return numbers


@transaction.atomic
def plan_load(*, path: Path | str) -> tuple[Plan, SyncStats]:
    """Create or update a plan and all its content from a data file; all or nothing."""
    root = read_yaml(path)
    ctx = _Context(root)
    _load_documents(ctx)
    plan = _load_plan(ctx)
    _load_purposes(ctx, plan)
    _load_tasks(ctx, plan)
    _load_duties(ctx, plan)
    _load_scopes(ctx, plan)
    _load_contributors(ctx, plan)
    _load_lines(ctx, plan)
    structure_changed.send(sender=Plan)
    return plan, ctx.stats


def _load_documents(ctx: _Context) -> None:
    for entry in ctx.root.get("documents").items():
        number = entry.require("number").text(max_length=64)
        if number in ctx.documents:
            raise entry.get("number").error(f"văn bản '{number}' bị lặp (duplicate).")
        ctx.documents[number] = sync_row(
            Document,
            ctx.stats,
            {"number": number},
            {
                "kind": entry.require("kind").choice(DocumentKind),
                "date": entry.get("date").date(),
                "issuer": entry.get("issuer").text(max_length=255),
                "title": entry.get("title").text(),
            },
        )


def _load_plan(ctx: _Context) -> Plan:
    node = ctx.root.require("plan")
    plan = sync_row(
        Plan,
        ctx.stats,
        {"code": node.require("code").code()},
        {
            "number": node.require("number").text(max_length=64),
            "title": node.require("title").text(blank=False),
            "date": node.get("date").date(),
            "issuer": ctx.organisation(node.require("issuer")),
            "signer": node.get("signer").text(max_length=150),
            "signer_title": node.get("signer_title").text(max_length=150),
            "preamble": node.get("preamble").text(),
            "closing": node.get("closing").text(),
            "recipients": node.get("recipients").text_list(),
            "children_rule": node.get("children_rule").choice(ChildrenRule, ChildrenRule.WARN),
        },
    )
    # The date by which each reporter issues its own plan is often set after the plan
    # (the text may give none): the file's value wins only when it gives one.
    subplans_due = node.get("subplans_due").date()
    if subplans_due is not None:
        sync_row(Plan, ctx.stats, {"pk": plan.pk}, {"subplans_due": subplans_due})
    sync_m2m(plan.basis, ctx.documents_for(node.get("basis")), ctx.stats)
    sync_m2m(plan.documents, list(ctx.documents.values()), ctx.stats)
    return plan


def _numbered(entries: list[Node], label: str) -> list[tuple[Node, int]]:
    seen: set[int] = set()
    result = []
    for entry in entries:
        number = entry.require("number").integer(minimum=1)
        if number in seen:
            raise entry.get("number").error(f"{label} số {number} bị lặp (duplicate).")
        seen.add(number)
        result.append((entry, number))
    return result


def _load_purposes(ctx: _Context, plan: Plan) -> None:
    entries = _numbered(ctx.root.get("purposes").items(), "mục đích")
    for entry, number in entries:
        purpose = sync_row(
            Purpose,
            ctx.stats,
            {"plan": plan, "number": number},
            {"text": entry.require("text").text()},
        )
        sync_m2m(purpose.documents, ctx.documents_for(entry.get("documents")), ctx.stats)
    delete_rows(plan.purposes.exclude(number__in=[n for _, n in entries]), ctx.stats)


def _load_tasks(ctx: _Context, plan: Plan) -> None:
    entries = _numbered(ctx.root.require("tasks").items(), "nhiệm vụ")
    for entry, number in entries:
        task = sync_row(
            Task,
            ctx.stats,
            {"plan": plan, "number": number},
            {
                "title": entry.require("title").text(max_length=255),
                "text": entry.require("text").text(),
            },
        )
        ctx.tasks[number] = task
        sync_m2m(task.documents, ctx.documents_for(entry.get("documents")), ctx.stats)
        actions = entry.get("actions").items()
        for position, item in enumerate(actions, start=1):
            _load_action(ctx, task, position, item)
        delete_rows(task.actions.filter(position__gt=len(actions)), ctx.stats)
        _load_indicators(ctx, plan, task, entry.get("indicators"))

    # Rules may compare figures of different tasks, so they are read once every
    # indicator is known.
    for entry, number in entries:
        _load_rules(ctx, plan, ctx.tasks[number], entry.get("rules"))
    delete_rows(
        Indicator.objects.filter(plan=plan).exclude(code__in=list(ctx.indicator_codes)),
        ctx.stats,
    )
    delete_rows(plan.tasks.exclude(number__in=list(ctx.tasks)), ctx.stats)


def _load_action(ctx: _Context, task: Task, position: int, item: Node) -> None:
    """An action is its text, or ``{text, by}`` when the sentence names who acts."""
    if isinstance(item.value, dict):
        text, by = item.require("text").text(blank=False), item.get("by").items()
    else:
        text, by = item.text(blank=False), []
    action = sync_row(TaskAction, ctx.stats, {"task": task, "position": position}, {"text": text})
    _sync_selectors(ctx, action.actors, ActionActor, {"action": action}, by)


def _sync_selectors(ctx: _Context, manager, model, parent: dict, items: list[Node]) -> None:
    """Make ``manager`` hold exactly the organisations or kinds the items name."""
    wanted = []
    for item in items:
        selector = ctx.selector(item)
        org = selector["organisation"]
        wanted.append((org.pk if org else None, selector["kind"]))
    existing = {(row.organisation_id, row.kind): row for row in manager.all()}
    for org_id, kind in wanted:
        if (org_id, kind) not in existing:
            model.objects.create(**parent, organisation_id=org_id, kind=kind)
            ctx.stats.created += 1
    delete_rows(
        manager.filter(pk__in=[row.pk for key, row in existing.items() if key not in wanted]),
        ctx.stats,
    )


def _load_indicators(ctx: _Context, plan: Plan, task: Task, node: Node) -> None:
    for position, entry in enumerate(node.items(), start=1):
        code = entry.require("code").code()
        if code in ctx.indicator_codes:
            raise entry.get("code").error(f"mã chỉ tiêu '{code}' bị lặp (duplicate code).")
        ctx.indicator_codes[code] = task.number
        sync_row(
            Indicator,
            ctx.stats,
            {"plan": plan, "code": code},
            {
                "task": task,
                "position": position,
                "name": entry.require("name").text(max_length=255),
                "unit": entry.get("unit").text(max_length=50),
                "value_type": entry.get("value_type").choice(ValueType, ValueType.INTEGER),
                "aggregation": entry.get("aggregation").choice(Aggregation, Aggregation.SUM),
                "required": entry.get("required").boolean(default=True),
                "help": entry.get("help").text(),
            },
        )


def _load_rules(ctx: _Context, plan: Plan, task: Task, node: Node) -> None:
    entries = node.items()
    for position, entry in enumerate(entries, start=1):
        sides = {}
        for side in ("parts", "whole"):
            codes = entry.require(side).text_list()
            for item, code in zip(entry.get(side).items(), codes, strict=True):
                if code not in ctx.indicator_codes:
                    raise item.error(f"không có chỉ tiêu mã '{code}' (unknown indicator).")
            sides[side] = codes
        sync_row(
            ValidationRule,
            ctx.stats,
            {"task": task, "position": position},
            {
                "plan": plan,
                "parts": sides["parts"],
                "operator": entry.require("operator").choice(Operator),
                "whole": sides["whole"],
                "message": entry.require("message").text(max_length=500),
            },
        )
    delete_rows(task.rules.filter(position__gt=len(entries)), ctx.stats)


def _load_duties(ctx: _Context, plan: Plan) -> None:
    entries = _numbered(ctx.root.get("duties").items(), "phân công")
    for entry, number in entries:
        duty = sync_row(
            Duty,
            ctx.stats,
            {"plan": plan, "number": number},
            {
                "text": entry.require("text").text(),
                "deliverable": entry.get("deliverable").text(max_length=500),
                "recurrence": entry.get("recurrence").choice(Recurrence, Recurrence.YEARLY),
                "requires_subplan": entry.get("subplan").boolean(default=False),
            },
        )
        sync_m2m(
            duty.tasks,
            [ctx.tasks[n] for n in ctx.task_numbers(entry.get("tasks"))],
            ctx.stats,
        )
        wanted = []
        for role in ParticipantRole:
            for position, item in enumerate(entry.get(role.value).items(), start=1):
                wanted.append((role.value, position, ctx.selector(item)))
        existing = {
            (p.role, p.position, p.organisation_id, p.kind): p for p in duty.participants.all()
        }
        keep = set()
        for role, position, selector in wanted:
            org = selector["organisation"]
            key = (role, position, org.pk if org else None, selector["kind"])
            if key not in existing:
                DutyParticipant.objects.create(duty=duty, role=role, position=position, **selector)
                ctx.stats.created += 1
            keep.add(key)
        delete_rows(
            duty.participants.filter(pk__in=[p.pk for k, p in existing.items() if k not in keep]),
            ctx.stats,
        )
    delete_rows(plan.duties.exclude(number__in=[n for _, n in entries]), ctx.stats)


def _load_scopes(ctx: _Context, plan: Plan) -> None:
    wanted: set[tuple[int, int | None, str]] = set()
    for entry in ctx.root.get("reporting_scopes").items():
        has_org, has_kind = entry.get("organisation").value, entry.get("kind").value
        if bool(has_org) == bool(has_kind):
            raise entry.error("mỗi phạm vi cần đúng một trong 'organisation' hoặc 'kind'.")
        if has_org:
            org_id, kind = ctx.organisation(entry.get("organisation")).pk, ""
        else:
            org_id, kind = None, entry.get("kind").choice(OrganisationKind)
        for number in ctx.task_numbers(entry.require("tasks")):
            key = (ctx.tasks[number].pk, org_id, kind)
            if key in wanted:
                raise entry.error(f"phạm vi báo cáo nhiệm vụ {number} bị lặp (duplicate).")
            wanted.add(key)
    existing = {(s.task_id, s.organisation_id, s.kind): s for s in plan.scopes.all()}
    for key in wanted - set(existing):
        task_id, org_id, kind = key
        ReportingScope.objects.create(plan=plan, task_id=task_id, organisation_id=org_id, kind=kind)
        ctx.stats.created += 1
    delete_rows(
        plan.scopes.filter(pk__in=[s.pk for k, s in existing.items() if k not in wanted]),
        ctx.stats,
    )
    if not wanted:
        raise DataFileError(
            f"{ctx.root.path}: kế hoạch chưa có phạm vi báo cáo (reporting_scopes)."
        )


def _load_contributors(ctx: _Context, plan: Plan) -> None:
    """``contributors``: the bodies that give the lead of the reporting duty (``to``) their
    words on some tasks instead of reporting. Optional; matched by organisation or kind."""
    keep = []
    for entry in ctx.root.get("contributors").items():
        has_org, has_kind = entry.get("organisation").value, entry.get("kind").value
        if bool(has_org) == bool(has_kind):
            raise entry.error("mỗi đơn vị đóng góp cần đúng một trong 'organisation' hoặc 'kind'.")
        if has_org:
            lookup = {"organisation": ctx.organisation(entry.get("organisation")), "kind": ""}
        else:
            lookup = {"organisation": None, "kind": entry.get("kind").choice(OrganisationKind)}
        contributor = sync_row(
            Contributor,
            ctx.stats,
            {"plan": plan, **lookup},
            {"to": ctx.organisation(entry.require("to"))},
        )
        if contributor.pk in keep:
            raise entry.error("đơn vị đóng góp bị lặp (duplicate).")
        keep.append(contributor.pk)
        sync_m2m(
            contributor.tasks,
            [ctx.tasks[n] for n in ctx.task_numbers(entry.require("tasks"))],
            ctx.stats,
        )
    delete_rows(plan.contributors.exclude(pk__in=keep), ctx.stats)


def _load_lines(ctx: _Context, plan: Plan) -> None:
    """``reporting_lines``: for each kind, to whom it reports and how many days before
    the cycle's due date. Kinds not listed report to their parent committee on time."""
    wanted: dict[str, dict] = {}
    for entry in ctx.root.get("reporting_lines").items():
        values = {
            "reports_to": entry.get("reports_to").choice(ReportsTo, ReportsTo.PARENT),
            "days_before_due": entry.get("days_before_due").integer(minimum=0)
            if entry.get("days_before_due").value is not None
            else 0,
        }
        if values["days_before_due"] > 180:
            raise entry.get("days_before_due").error("tối đa 180 ngày trước hạn chung.")
        for item in entry.require("kinds").items():
            kind = item.choice(OrganisationKind)
            if kind in wanted:
                raise item.error(f"tuyến báo cáo của loại '{kind}' bị lặp (duplicate).")
            wanted[kind] = values
    for kind, values in wanted.items():
        sync_row(ReportingLine, ctx.stats, {"plan": plan, "kind": kind}, values)
    delete_rows(plan.lines.exclude(kind__in=list(wanted)), ctx.stats)
