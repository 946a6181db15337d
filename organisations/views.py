from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tasks.selectors import plans_visible_to

from .models import Role
from .selectors import has_any_role, memberships_of, organisation_tree, organisations_visible_to


@require_GET
def home(request):
    """Each person starts where they work: their organisations and roles, and the plans."""
    memberships = memberships_of(request.user)
    plans = list(plans_visible_to(request.user).order_by("number"))
    return render(
        request,
        "organisations/home.html",
        {
            "memberships": memberships,
            "reporting_for": [m.organisation for m in memberships if m.role == Role.REPORTER],
            "reviewing_for": [m.organisation for m in memberships if m.role == Role.REVIEWER],
            "leading_for": [m.organisation for m in memberships if m.role == Role.LEADER],
            "plans": plans,
            "has_role": has_any_role(request.user),
        },
    )


@require_GET
def organisation_list(request):
    if not has_any_role(request.user):
        raise Http404
    return render(
        request, "organisations/organisation_list.html", {"tree": organisation_tree(request.user)}
    )


@require_GET
def organisation_detail(request, code: str):
    organisation = (
        organisations_visible_to(request.user)
        .prefetch_related("children", "predecessors")
        .filter(code=code)
        .first()
    )
    if organisation is None:
        raise Http404
    return render(
        request,
        "organisations/organisation_detail.html",
        {"organisation": organisation, "current": organisation.current_successor()},
    )
