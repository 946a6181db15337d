"""One access helper per object kind: the object a page or the API acts on, or the
answer that it may not.

Every helper follows one rule. Outside the user's scope (no role, another province,
another organisation's report) → 404, so nobody learns what exists beyond their reach.
Visible but not for this (a reporter on a dashboard, a leader returning a report) → 403.
Views get their objects here and never raise either answer themselves; reads that return
querysets stay in `reports.selectors`.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy

from organisations.models import COMMITTEE_KINDS, Organisation, Role, User
from organisations.selectors import has_any_role, memberships_of
from reports.contributions import asked_of, with_parts
from reports.figures.definitions import expected_everywhere
from reports.models import (
    AnnualReport,
    Attachment,
    Contribution,
    DraftPart,
    ExportJob,
    ExportKind,
    Notification,
    ReportingCycle,
    SubPlan,
    YearlySummary,
)
from reports.selectors import (
    can_manage,
    can_report_for,
    can_review_report,
    cycles_visible_to,
    oversight,
    plans_overseen_by,
    reporter_organisation_ids,
    reports_visible_to,
    subplans_visible_to,
)
from tasks.lines import ReportingNode, node_of, plan_lines, target_of, top_node
from tasks.models import Plan
from tasks.selectors import (
    ContributorAsked,
    plans_visible_to,
    subplan_expected_organisations,
)

Viewer = User | AnonymousUser
T = TypeVar("T")

# Why a 403, for the logs and the API's answer.
OVERSEERS_ONLY = gettext_lazy("Chỉ người theo dõi kế hoạch (Ban Tổ chức, lãnh đạo) mới xem được.")
REVIEWERS_ONLY = gettext_lazy("Chỉ Ban Tổ chức theo dõi kế hoạch mới làm được việc này.")
REPORTERS_ONLY = gettext_lazy("Chỉ báo cáo viên của đơn vị mới làm được việc này.")
MANAGERS_ONLY = gettext_lazy("Chỉ Ban Tổ chức của cấp ủy ban hành kế hoạch mới làm được việc này.")
PROVINCE_ONLY = gettext_lazy(
    "Chỉ Ban Tổ chức và lãnh đạo của cấp ủy ban hành kế hoạch mới xem được báo cáo tổng hợp."
)


def found(thing: T | None) -> T:
    """The thing, or 404 when a lookup found nothing (a file not built, a year with no
    data): what is absent and what is hidden look the same."""
    if thing is None:
        raise Http404
    return thing


def oversees(user: Viewer, plan_id: int) -> bool:
    """Whether the user reads everything of the plan: its reviewers and leaders, and
    administrators."""
    return bool(user.is_superuser) or plan_id in plans_overseen_by(user)


def oversees_organisation(user: Viewer, plan_id: int, organisation_id: int) -> bool:
    """Whether the user reads this organisation's reports of the plan: administrators
    and the plan's top committee everywhere, a lower committee's people only in their
    own subtree (overseeing the plan somewhere is not enough: Cầu Kè's reviewer must not
    learn which reports Càng Long's units have)."""
    view = oversight(user)
    if view.everything or plan_id in view.whole_plans:
        return True
    if plan_id not in view.plans:
        return False
    return Organisation.objects.filter(view.subtree_q(), pk=organisation_id).exists()


def require_role(user: Viewer) -> None:
    """Pages for everyone with a role: people with none get 404."""
    if not has_any_role(user):
        raise Http404


def require_overseer(user: Viewer) -> None:
    """Pages for those who oversee some plan: 404 without a role, 403 for reporters."""
    require_role(user)
    if not plans_overseen_by(user):
        raise PermissionDenied(OVERSEERS_ONLY)


def require_reviewer(user: Viewer) -> None:
    """Pages for reviewers of some plan: 404 without a role, 403 for other roles."""
    require_role(user)
    if not plans_overseen_by(user, Role.REVIEWER):
        raise PermissionDenied(REVIEWERS_ONLY)


def require_manager(user: Viewer) -> Plan:
    """Pages that open cycles: reviewers of a plan's top committee. 404 without a role,
    403 for others; the first plan the user manages."""
    require_reviewer(user)
    managed = plans_visible_to(user).filter(pk__in=oversight(user, Role.REVIEWER).whole_plans)
    plan = managed.order_by("code").first()
    if plan is None:
        raise PermissionDenied(MANAGERS_ONLY)
    return plan


def get_plan_for_user(
    user: Viewer, code: str, *, oversee: bool = False, manage: bool = False
) -> Plan:
    """The plan with this code if the user may read it, else 404 (an outsider cannot
    tell which plans exist). oversee=True needs a reviewer or leader of the plan (at any
    level) and manage=True a reviewer of its top committee; others who can read the plan
    get 403."""
    if "\x00" in code:  # PostgreSQL refuses NUL in text; no code holds one
        raise Http404
    plan = found(plans_visible_to(user).filter(code=code).first())
    if oversee and not oversees(user, plan.pk):
        raise PermissionDenied(OVERSEERS_ONLY)
    if manage and not can_manage(user, plan.pk):
        raise PermissionDenied(MANAGERS_ONLY)
    return plan


def get_organisation_for_user(user: Viewer, code: str) -> Organisation:
    """The organisation with this code for anyone with a role (the tree is public inside
    the system), else 404."""
    require_role(user)
    if "\x00" in code:
        raise Http404
    return found(Organisation.objects.filter(code=code).select_related("parent").first())


def get_node_for_user(user: Viewer, plan: Plan, code: str = "") -> ReportingNode:
    """The committee whose level of the cascade a dashboard or rollup shows: the one
    named by ``code``, or else the highest the user acts for (the plan's top committee for
    the province's people and administrators). 404 for a committee out of the user's
    reach or not a committee at all."""
    view = oversight(user)
    whole = view.everything or plan.pk in view.whole_plans
    if not code:
        if whole:
            return top_node(plan)
        if not view.lower:
            raise Http404
        return node_of(
            found(Organisation.objects.filter(pk__in=view.lower).order_by("code").first())
        )
    if "\x00" in code:
        raise Http404
    candidates = Organisation.objects.filter(code=code, kind__in=sorted(COMMITTEE_KINDS))
    if not whole:
        candidates = candidates.filter(view.subtree_q())
    return node_of(found(candidates.first()))


def get_cycle_for_user(
    user: Viewer, pk: int, *, oversee: bool = False, manage: bool = False, top: bool = False
) -> ReportingCycle:
    """The cycle if the user may see it, else 404. oversee=True needs a reviewer or
    leader of its plan at any level (dashboards), top=True one of the plan's top
    committee (the province's summary), and manage=True a reviewer of the top committee
    (editing, closing, building the summary); others who see the cycle get 403."""
    cycle = found(cycles_visible_to(user).filter(pk=pk).first())
    if oversee and not oversees(user, cycle.plan_id):
        raise PermissionDenied(OVERSEERS_ONLY)
    if top and cycle.plan_id not in oversight(user).whole_plans:
        raise PermissionDenied(PROVINCE_ONLY)
    if manage and not can_manage(user, cycle.plan_id):
        raise PermissionDenied(MANAGERS_ONLY)
    return cycle


def get_report_for_user(
    user: Viewer, pk: int, *, write: bool = False, review: bool = False
) -> AnnualReport:
    """The report if the user may see it, else 404. write=True needs a reporter of its
    organisation and review=True a reviewer of its plan; others who see it get 403."""
    report = found(reports_visible_to(user).filter(pk=pk).first())
    if write and not can_report_for(user, report.organisation_id):
        raise PermissionDenied(REPORTERS_ONLY)
    if review and not can_review_report(user, report):
        raise PermissionDenied(REVIEWERS_ONLY)
    return report


def get_attachment_for_user(
    user: Viewer, report_pk: int, pk: int, *, write: bool = False
) -> tuple[AnnualReport, Attachment]:
    """The report and one of its attachments, as `get_report_for_user` allows; a removed
    attachment can still be downloaded (the history names it) but not removed again."""
    report = get_report_for_user(user, report_pk, write=write)
    attachments = report.attachments.filter(pk=pk)
    if write:
        attachments = attachments.filter(removed_at__isnull=True)
    return report, found(attachments.first())


def get_report_start_for_user(
    user: Viewer, cycle_pk: int, code: str
) -> tuple[ReportingCycle, Organisation, AnnualReport | None]:
    """The cycle, the organisation and its report of the cycle if it exists, for starting
    that report. Only the organisation's reporters start it; those who oversee the
    organisation (``oversees_organisation``) may follow the link to an existing report but
    get 403 for starting one; everyone else 404."""
    cycle = get_cycle_for_user(user, cycle_pk)
    organisation = found(Organisation.objects.filter(code=code).first())
    existing = AnnualReport.objects.filter(cycle=cycle, organisation=organisation).first()
    if not can_report_for(user, organisation.pk) and not oversees_organisation(
        user, cycle.plan_id, organisation.pk
    ):
        raise Http404
    return cycle, organisation, existing


def require_reporter_of(user: Viewer, organisation: Organisation) -> None:
    """Only the organisation's reporters write for it: 403 for others who see it."""
    if not can_report_for(user, organisation.pk):
        raise PermissionDenied(REPORTERS_ONLY)


def get_reminder_target_for_user(
    user: Viewer, cycle_pk: int, code: str
) -> tuple[ReportingCycle, Organisation]:
    """The cycle and one of its expected organisations, for a reviewer of the committee
    the organisation reports to; 404 for an organisation the cycle does not expect or the
    user cannot see, 403 for one another level reviews."""
    cycle = get_cycle_for_user(user, cycle_pk, oversee=True)
    if "\x00" in code:
        raise Http404
    organisation = found(expected_everywhere(cycle).filter(code=code).first())
    view = oversight(user, Role.REVIEWER)
    if view.everything:
        return cycle, organisation
    if cycle.plan_id not in oversight(user).whole_plans and not (
        Organisation.objects.filter(oversight(user).subtree_q(), pk=organisation.pk).exists()
    ):
        raise Http404
    if target_of(organisation, plan_lines(cycle.plan)) not in view.lines():
        raise PermissionDenied(REVIEWERS_ONLY)
    return cycle, organisation


def get_reminder_level_for_user(
    user: Viewer, cycle_pk: int, code: str = ""
) -> tuple[ReportingCycle, ReportingNode]:
    """The cycle and the level (``code``, or the user's own) whose late organisations the
    user reminds all at once: reviewers of that committee and administrators. 404 out of
    reach, 403 for those who only read the level (leaders, the levels above)."""
    cycle = get_cycle_for_user(user, cycle_pk, oversee=True)
    node = get_node_for_user(user, cycle.plan, code)
    view = oversight(user, Role.REVIEWER)
    if not view.everything and node.pk not in view.lines():
        raise PermissionDenied(REVIEWERS_ONLY)
    return cycle, node


def get_subplan_for_user(user: Viewer, pk: int) -> SubPlan:
    """The sub-plan if the user may see it (its organisation's reporters, those who
    oversee its plan, administrators), else 404. Nobody changes a sub-plan here: a new
    registration replaces it."""
    return found(subplans_visible_to(user).filter(pk=pk).first())


def get_subplan_registration_for_user(
    user: Viewer, plan_code: str
) -> tuple[Plan, list[Organisation]]:
    """The plan and the organisations the user registers sub-plans for (those it reports
    for among the ones the plan expects), else 404 for a plan the user cannot read and
    403 for one it can but registers nothing for."""
    plan = get_plan_for_user(user, plan_code)
    reporting_for = reporter_organisation_ids(user)
    choices = list(subplan_expected_organisations(plan).filter(pk__in=reporting_for))
    if not choices:
        raise PermissionDenied(REPORTERS_ONLY)
    return plan, choices


def get_summary_for_user(
    user: Viewer, cycle_pk: int, *, build: bool = False
) -> tuple[ReportingCycle, YearlySummary | None]:
    """The cycle and its yearly summary (None before the first build) for reviewers and
    leaders of its plan and administrators; 403 for other roles, 404 without one.
    build=True, to start a build, needs a reviewer of the plan."""
    cycle = get_cycle_for_user(user, cycle_pk, oversee=True, top=True, manage=build)
    summary = YearlySummary.objects.filter(cycle=cycle).select_related("requested_by").first()
    return cycle, summary


def get_draft_part_for_user(
    user: Viewer, cycle_pk: int, part_pk: int
) -> tuple[ReportingCycle, DraftPart]:
    """A part of the cycle's yearly summary draft, to change it: for the reviewers who
    may build the summary; 403 for the others who read the summary, 404 for everyone
    else and for a part of another cycle's draft."""
    cycle, _summary = get_summary_for_user(user, cycle_pk, build=True)
    part = found(
        DraftPart.objects.filter(draft__cycle=cycle, pk=part_pk).select_related("draft").first()
    )
    return cycle, part


def get_notification_for_user(user: Viewer, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's is 404."""
    if not isinstance(user, User):
        raise Http404
    return found(Notification.objects.filter(user=user, pk=pk).first())


CONTRIBUTORS_ONLY = gettext_lazy("Chỉ đơn vị đóng góp ý kiến mới soạn và gửi được.")


def get_contribution_for_user(
    user: Viewer, cycle_pk: int, code: str, *, write: bool = False
) -> tuple[ReportingCycle, ContributorAsked, Contribution | None]:
    """The cycle, the body it asks for a contribution and that contribution (None before
    the first save). The body's members write it (write=True) and read it; the plan's top
    reviewers (Ban Tổ chức of the issuing committee, administrators) read every one and
    get 403 for writing; everyone else, and a body the cycle does not ask, 404."""
    cycle = get_cycle_for_user(user, cycle_pk)
    if "\x00" in code:
        raise Http404
    organisation = found(Organisation.objects.filter(code=code).first())
    member = any(m.organisation_id == organisation.pk for m in memberships_of(user))
    reader = can_manage(user, cycle.plan_id)
    if not member and not reader:
        raise Http404
    asked = found(asked_of(cycle, organisation.pk))
    if write and not member:
        raise PermissionDenied(CONTRIBUTORS_ONLY)
    contribution = with_parts(
        Contribution.objects.filter(cycle=cycle, organisation=organisation)
    ).first()
    return cycle, asked, contribution


def get_contributions_cycle_for_user(user: Viewer, cycle_pk: int) -> ReportingCycle:
    """The cycle whose contributions the list shows: for the plan's top reviewers (who
    write the report they go into); 403 for others who see the cycle, 404 without a role."""
    return get_cycle_for_user(user, cycle_pk, manage=True)


def export_scope_for(user: Viewer, job: ExportJob) -> tuple[ReportingCycle, ReportingNode]:
    """The cycle and the level a stored export covers, if ``user`` may still read them as
    the export's page did (the dashboard's cycle, the rollup's plan, the level): roles
    can be withdrawn after the request. Otherwise 404, whatever the page would answer."""
    try:
        if job.kind == ExportKind.DASHBOARD:
            cycle = get_cycle_for_user(user, job.cycle_id, oversee=True)
        else:
            get_plan_for_user(user, job.cycle.plan.code, oversee=True)
            cycle = job.cycle
        node = get_node_for_user(user, cycle.plan, QueryDict(job.query).get("don_vi", ""))
    except PermissionDenied as exc:
        raise Http404 from exc
    return cycle, node


def export_scope_for_user_id(user_id: int, job: ExportJob) -> tuple[ReportingCycle, ReportingNode]:
    """``export_scope_for`` in a job, which holds the id of the person who asked: 404 too
    when that person's account is gone or disabled."""
    user = found(User.objects.filter(pk=user_id, is_active=True).first())
    return export_scope_for(user, job)


def get_export_job_for_user(user: Viewer, pk: int) -> tuple[ExportJob, ReportingNode]:
    """An export and the level it covers, for the person who asked for it (and
    administrators) while they may still read it; 404 for everyone else."""
    jobs = ExportJob.objects.filter(pk=pk).select_related("cycle__plan")
    if not user.is_superuser:
        if not isinstance(user, User):
            raise Http404
        jobs = jobs.filter(requested_by=user)
    job = found(jobs.first())
    _cycle, node = export_scope_for(user, job)
    return job, node
