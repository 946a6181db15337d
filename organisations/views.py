from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import changes_of, has_any_role, organisation_tree, organisations_visible_to


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
        .prefetch_related("children", "predecessors", "former_names")
        .filter(code=code)
        .first()
    )
    if organisation is None:
        raise Http404
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "current": organisation.current_successor(),
            "changes": changes_of(organisation),
        },
    )
