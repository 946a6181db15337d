"""Sub-plans (section III.1 of the plan): each district-level committee issues its own
implementation plan and registers it here; reviewers and leaders follow who has done so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organisations.http import AuthenticatedRequest
from organisations.models import Organisation
from reports.access import (
    get_subplan_for_user,
    get_subplan_registration_for_user,
    oversees,
    require_role,
)
from reports.downloads import file_download
from reports.figures.deliverables import (
    BADGE_CLASSES,
    BUCKET_LABELS,
    LATE,
    ON_TIME,
    Bucket,
    bucket_summary,
    with_bucket,
)
from reports.forms import SubPlanForm
from reports.models import SubPlan
from reports.paging import PAGE_PARAMETER, Pager, paginate
from reports.selectors import oversight, reporter_organisation_ids, subplans_visible_to
from reports.services import ServiceError
from reports.services import subplans as services
from reports.services.uploads import DOCX, PDF, check_upload
from tasks.models import Plan
from tasks.selectors import plans_visible_to, subplan_expected_organisations

ALLOWED_TYPES = (PDF, DOCX)


@dataclass
class Row:
    organisation: Organisation
    subplan: SubPlan | None
    bucket: str
    can_register: bool
    has_due_date: bool

    @property
    def status(self) -> str:
        """The row's bucket; without a due date only whether it is registered."""
        if not self.has_due_date:
            if self.inherited:
                return _("Kế thừa kế hoạch của tổ chức tiền thân")
            return _("Đã đăng ký") if self.subplan else _("Chưa đăng ký")
        return str(BUCKET_LABELS[self.bucket])

    @property
    def inherited(self) -> bool:
        """Covered by the sub-plans of the organisations it succeeds (deliverables)."""
        return self.subplan is None and self.bucket in (ON_TIME, LATE)

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES[self.bucket]


@dataclass
class PlanSubPlans:
    plan: Plan
    oversees: bool
    rows: list[Row] = field(default_factory=list)  # one page
    buckets: list[Bucket] = field(default_factory=list)
    expected_count: int = 0
    registered_count: int = 0
    pager: Pager | None = None


def _page_parameter(plan: Plan) -> str:
    """Each plan's table pages on its own, so the page of one survives paging another."""
    return f"{PAGE_PARAMETER}_{plan.code}"


@require_GET
def subplan_list(request: AuthenticatedRequest) -> HttpResponse:
    """Each visible plan's expected organisations, a page at a time, with their sub-plans;
    overseers also get the four buckets, counted in the database. A fixed number of
    queries per plan whatever the number of organisations."""
    user = request.user
    require_role(user)
    today = timezone.localdate()
    reporting_for = reporter_organisation_ids(user)
    plans = list(plans_visible_to(user).order_by("number"))
    pages = {
        _page_parameter(plan): request.GET[_page_parameter(plan)]
        for plan in plans
        if _page_parameter(plan) in request.GET
    }
    sections = []
    for plan in plans:
        overseer = oversees(user, plan.pk)
        expected = subplan_expected_organisations(plan, today)
        view = oversight(user)
        if overseer and not (view.everything or plan.pk in view.whole_plans):
            # A lower committee's people see the sub-plans of their own subtree only.
            expected = expected.filter(view.subtree_q())
        shown = expected if overseer else expected.filter(pk__in=reporting_for)
        parameter = _page_parameter(plan)
        pager = paginate(
            with_bucket(shown, plan, today),
            pages.get(parameter),
            parameter=parameter,
            keep=tuple((key, value) for key, value in pages.items() if key != parameter),
            anchor=f"ke-hoach-{plan.pk}",
        )
        page = list(pager.page)
        subplans = {
            s.organisation_id: s
            for s in subplans_visible_to(user).filter(
                plan=plan, organisation_id__in=[o.pk for o in page]
            )
        }
        section = PlanSubPlans(plan=plan, oversees=overseer, pager=pager)
        section.rows = [
            Row(
                organisation=organisation,
                subplan=subplans.get(organisation.pk),
                bucket=organisation.bucket,
                can_register=organisation.pk in reporting_for,
                has_due_date=plan.subplans_due is not None,
            )
            for organisation in page
        ]
        if overseer:
            section.buckets = bucket_summary(expected, plan, today)
            section.expected_count = sum(bucket.count for bucket in section.buckets)
            section.registered_count = sum(
                bucket.count for bucket in section.buckets if bucket.key in (ON_TIME, LATE)
            )
        sections.append(section)
    return render(request, "reports/subplan_list.html", {"sections": sections, "today": today})


class SubPlanRegisterForm(SubPlanForm):
    """The sub-plan form, with a choice of organisation when the user reports for more
    than one of those expected to register."""

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.code: o for o in organisations}
        if len(organisations) > 1:
            self.fields["organisation"] = forms.ChoiceField(
                label=_("Đơn vị"),
                choices=[("", _("— Chọn đơn vị —"))]
                + [(o.code, o.display_name) for o in organisations],
                error_messages={
                    "required": _("Vui lòng chọn đơn vị."),
                    "invalid_choice": _("Đồng chí không đăng ký thay cho đơn vị này."),
                },
            )
            self.order_fields(["organisation"])

    def selected_organisation(self) -> Organisation | None:
        if len(self.organisations) == 1:
            return next(iter(self.organisations.values()))
        return self.organisations.get(self.cleaned_data.get("organisation", ""))


@require_http_methods(["GET", "POST"])
def subplan_register(request: AuthenticatedRequest, plan_code: str) -> HttpResponse:
    user = request.user
    plan, choices = get_subplan_registration_for_user(user, plan_code)
    existing = {
        s.organisation_id: s
        for s in subplans_visible_to(user).filter(
            plan=plan, organisation_id__in=[o.pk for o in choices]
        )
    }

    if request.method == "POST":
        form = SubPlanRegisterForm(request.POST, request.FILES, organisations=choices)
        form.is_valid()
        upload = form.cleaned_data.get("file")
        checked = None
        if upload is not None:
            try:
                checked = check_upload(upload, ALLOWED_TYPES)
            except ValidationError as exc:
                form.add_error("file", exc)
        organisation = form.selected_organisation()
        if not form.errors and checked is not None and organisation is not None:
            try:
                subplan = services.subplan_register(
                    plan=plan,
                    organisation=organisation,
                    number=form.cleaned_data["number"],
                    issued_on=form.cleaned_data["issued_on"],
                    checked=checked,
                    actor=user,
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Đã đăng ký kế hoạch thực hiện số %(number)s.") % {"number": subplan.number},
                )
                return redirect("reports:subplan_list")
    else:
        by_code = {o.code: o for o in choices}
        selected = by_code.get(request.GET.get("org", ""))
        if selected is None and len(choices) == 1:
            selected = choices[0]
        initial = {}
        if selected is not None:
            initial["organisation"] = selected.code
            current = existing.get(selected.pk)
            if current is not None:
                initial.update(number=current.number, issued_on=current.issued_on)
        form = SubPlanRegisterForm(initial=initial, organisations=choices)

    return render(
        request,
        "reports/subplan_register.html",
        {
            "plan": plan,
            "form": form,
            "organisations": choices,
            "existing": [(o, existing.get(o.pk)) for o in choices],
        },
    )


@require_GET
def subplan_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    subplan = get_subplan_for_user(request.user, pk)
    return file_download(
        subplan.file, filename=subplan.original_name, content_type=subplan.content_type
    )
