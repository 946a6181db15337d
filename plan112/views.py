from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organisations.models import Role
from organisations.selectors import has_any_role, memberships_of
from reports.contributions import contributions_for_user
from reports.dashboards.home import overseen_cycles
from reports.models import AnnualReport, CycleStatus, ReportStatus
from reports.selectors import (
    cycles_visible_to,
    inbox_cycles,
    plans_overseen_by,
    reporter_organisation_ids,
)
from tasks.selectors import plans_visible_to


@require_GET
def home(request):
    """Each person starts where they work, with what waits for them counted: their
    organisations' reports (and how many were returned), and for those who oversee a plan
    its current cycle at their level: reports to review, late units, the rates, the
    latest yearly summary, with one link each. A fixed number of queries per plan."""
    memberships = memberships_of(request.user)
    reporting_for = [m.organisation for m in memberships if m.role == Role.REPORTER]
    open_cycles = list(
        cycles_visible_to(request.user).filter(status=CycleStatus.OPEN).order_by("-year")
    )
    # A body that contributes instead of reporting (plan data "contributors") writes its
    # contribution here, and has no report to start.
    contributions = contributions_for_user(request.user, open_cycles)
    contributing = {(row.cycle.pk, row.organisation.pk) for row in contributions}
    my_reports = {
        (r.cycle_id, r.organisation_id): r
        for r in AnnualReport.objects.filter(
            cycle__in=open_cycles, organisation_id__in=reporter_organisation_ids(request.user)
        )
    }
    oversees = bool(plans_overseen_by(request.user))
    work = [
        (cycle, org, my_reports.get((cycle.pk, org.pk)))
        for cycle in open_cycles
        for org in reporting_for
        if (cycle.pk, org.pk) not in contributing
    ]
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "reporting_for": reporting_for,
            "plans": list(plans_visible_to(request.user).order_by("number")),
            "has_role": has_any_role(request.user),
            "open_cycles": open_cycles,
            "reviewing_for": [m.organisation for m in memberships if m.role == Role.REVIEWER],
            "my_work": work,
            "returned": sum(
                1 for _, _, r in work if r is not None and r.status == ReportStatus.RETURNED
            ),
            "contributions": contributions,
            "oversees": oversees,
            "overseen": overseen_cycles(request.user, inbox_cycles(request.user))
            if oversees
            else [],
        },
    )


def health(request):
    """For load balancers and the deploy check: the process runs and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
