from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organisations.models import Role
from organisations.selectors import has_any_role, memberships_of
from reports.contributions import contributions_for_user
from reports.models import AnnualReport, CycleStatus
from reports.selectors import cycles_visible_to, plans_overseen_by, reporter_organisation_ids
from tasks.selectors import plans_visible_to


@require_GET
def home(request):
    """Each person starts where they work: their organisations' reports, the inbox, the
    provincial picture, and the plans."""
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
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "reporting_for": reporting_for,
            "reviewing_for": [m.organisation for m in memberships if m.role == Role.REVIEWER],
            "leading_for": [m.organisation for m in memberships if m.role == Role.LEADER],
            "plans": list(plans_visible_to(request.user).order_by("number")),
            "has_role": has_any_role(request.user),
            "open_cycles": open_cycles,
            "my_work": [
                (cycle, org, my_reports.get((cycle.pk, org.pk)))
                for cycle in open_cycles
                for org in reporting_for
                if (cycle.pk, org.pk) not in contributing
            ],
            "contributions": contributions,
            "oversees": bool(plans_overseen_by(request.user)),
        },
    )


def health(request):
    """For load balancers and the deploy check: the process runs and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
