from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from organisations.selectors import has_any_role

from .selectors import get_plan_for_user, plan_content, plans_visible_to, responsibility_matrix


@require_GET
def plan_list(request):
    if not has_any_role(request.user):
        raise Http404
    plans = list(plans_visible_to(request.user).order_by("number"))
    if len(plans) == 1:
        return redirect(plans[0])
    return render(request, "tasks/plan_list.html", {"plans": plans})


@require_GET
def plan_detail(request, code: str):
    plan = plan_content(get_plan_for_user(request.user, code))
    return render(
        request,
        "tasks/plan_detail.html",
        {"plan": plan, "matrix": responsibility_matrix(plan)},
    )
