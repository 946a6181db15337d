"""The read-only JSON API: cycles, who has reported, and the provincial totals.

Scoped exactly like the pages, through the same selectors: no role → 404, a reporter
sees its own organisations' rows only, the totals are for those who oversee the plan
(reporters get 403). Figures come from `reports.figures`, never recomputed here.

Every view answers GET (and HEAD) only; any other method is 405 whoever asks, checked
before authentication so a read-only API never needs a CSRF token to say so.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import MethodNotAllowed, NotAuthenticated, PermissionDenied
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from reports.access import get_cycle_for_user, get_node_for_user, get_organisation_for_user
from reports.api.authentication import ThrottledBasicAuthentication
from reports.api.pagination import CappedLimitOffsetPagination, KeysetPagination
from reports.api.permissions import HasAnyRole
from reports.api.serializers import (
    CycleFilterSerializer,
    CycleSerializer,
    ErrorSerializer,
    HistoryRowSerializer,
    ParameterErrorSerializer,
    RollupQuerySerializer,
    RollupSerializer,
    StatusRowSerializer,
)
from reports.figures.definitions import cycle_figures, previous_cycle
from reports.figures.totals import indicator_totals
from reports.models import ReportingCycle
from reports.selectors import (
    cycles_visible_to,
    expected_rows,
    expected_with_report,
    lineage_reports_for,
    plans_overseen_by,
    reporter_organisation_ids,
)
from tasks.lines import ReportingNode
from tasks.models import Plan

ERRORS = {
    401: OpenApiResponse(
        ErrorSerializer, description=_("Chưa đăng nhập / not authenticated (WWW-Authenticate)")
    ),
    404: OpenApiResponse(
        ErrorSerializer, description=_("Không có hoặc không được xem / not found or not visible")
    ),
    405: OpenApiResponse(ErrorSerializer, description=_("Chỉ hỗ trợ GET / GET only")),
}
BAD_PARAMETER = {
    400: OpenApiResponse(
        ParameterErrorSerializer,
        description=_(
            "Tham số không dùng được (`limit`, `offset`, `cursor`), kèm lý do / a parameter "
            "that cannot be used, and why"
        ),
    )
}
FORBIDDEN = {
    403: OpenApiResponse(
        ErrorSerializer,
        description=_("Chỉ người theo dõi kế hoạch / only those who oversee the plan"),
    )
}


class ReadOnlyAPIMixin:
    """Basic first, so an anonymous caller gets 401 with `WWW-Authenticate: Basic` (DRF
    takes the header from the first class); the browser's session works as well."""

    authentication_classes = [ThrottledBasicAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasAnyRole]
    http_method_names = ["get", "head"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method.lower() not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> None:
        # DRF's own message for a missing login has no Vietnamese translation.
        if request.authenticators and not request.successful_authenticator:
            raise NotAuthenticated(
                _(
                    "Chưa đăng nhập: hãy gửi tên đăng nhập và mật khẩu (HTTP Basic) "
                    "hoặc đăng nhập trên trang web."
                )
            )
        super().permission_denied(request, message=message, code=code)

    def handle_exception(self, exc: Exception) -> Response:
        # The access helpers say in Vietnamese why a 403; DRF would answer its own words.
        if isinstance(exc, DjangoPermissionDenied) and exc.args:
            exc = PermissionDenied(str(exc))
        return super().handle_exception(exc)


class CycleAPIView(ReadOnlyAPIMixin, GenericAPIView):
    pagination_class = CappedLimitOffsetPagination
    oversee = False  # the totals are for those who oversee the plan only

    def get_queryset(self) -> QuerySet[ReportingCycle]:
        return cycles_visible_to(self.request.user)

    def get_object(self) -> ReportingCycle:
        return get_cycle_for_user(self.request.user, self.kwargs["pk"], oversee=self.oversee)

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "overseen": self.overseen(),
            "node_of": self.node,
        }

    def node(self, plan: Plan) -> ReportingNode:
        """The committee whose level the answer covers: ``node`` (a code) when given,
        else the highest the user acts for; 404 for one out of reach."""
        known = self.__dict__.setdefault("_nodes", {})
        if plan.pk not in known:
            code = self.request.query_params.get("node", "")
            known[plan.pk] = get_node_for_user(self.request.user, plan, code)
        return known[plan.pk]

    def overseen(self) -> set[int]:
        return plans_overseen_by(self.request.user)


@extend_schema_view(
    get=extend_schema(
        tags=["cycles"],
        operation_id="cycles_list",
        summary=_("Danh sách kỳ báo cáo / reporting cycles"),
        description=_(
            "Các kỳ báo cáo người dùng được xem, mới nhất trước; lọc theo `plan` (mã kế hoạch) "
            "và `year`. Số liệu (`figures`) chỉ có với người theo dõi kế hoạch (Ban Tổ chức, "
            "lãnh đạo, quản trị viên); báo cáo viên nhận `figures: null`.\n\n"
            "The cycles the user may see, newest first; filter by `plan` (plan code) and "
            "`year`. `figures` only for those who oversee the plan (reviewers, leaders, "
            "administrators); reporters get `figures: null`."
        ),
        parameters=[CycleFilterSerializer],
        responses={200: CycleSerializer(many=True), **ERRORS},
    )
)
class CycleListView(CycleAPIView, ListAPIView):
    serializer_class = CycleSerializer

    def get_queryset(self) -> QuerySet[ReportingCycle]:
        query = CycleFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        cycles = super().get_queryset().order_by("-year", "plan__number", "pk")
        if "plan" in query.validated_data:
            cycles = cycles.filter(plan__code=query.validated_data["plan"])
        if "year" in query.validated_data:
            cycles = cycles.filter(year=query.validated_data["year"])
        return cycles


@extend_schema_view(
    get=extend_schema(
        tags=["cycles"],
        operation_id="cycles_retrieve",
        summary=_("Một kỳ báo cáo / one reporting cycle"),
        description=_(
            "Như một phần tử của danh sách; 404 nếu không được xem.\n\n"
            "Shaped like an item of the list; 404 when not visible."
        ),
        responses={200: CycleSerializer, **ERRORS},
    )
)
class CycleDetailView(CycleAPIView):
    serializer_class = CycleSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema_view(
    get=extend_schema(
        tags=["cycles"],
        operation_id="cycles_status",
        summary=_("Tình hình nộp báo cáo / who has reported"),
        description=_(
            "Mỗi đơn vị phải báo cáo trong kỳ với báo cáo của mình: quá hạn chưa gửi trước, rồi "
            "theo thứ tự thường dùng (cấp, tên, mã). Ban Tổ chức, lãnh đạo và quản trị viên "
            "thấy mọi đơn vị; báo cáo viên chỉ thấy đơn vị của mình. Số truy vấn không tăng "
            "theo số đơn vị.\n\n"
            "Phân trang: đi theo đường dẫn `next` / `previous` (tham số `cursor`); trang cuối "
            "tốn như trang đầu. `offset` vẫn dùng được như trước (khi có `offset`, các đường "
            "dẫn cũng theo `offset`); `count` luôn là tổng số dòng.\n\n"
            "Every organisation expected to report, with its report: overdue first, then in "
            "the usual order (level, name, code). Reviewers, leaders and administrators see "
            "every organisation; a reporter sees only its own. The number of queries does not "
            "grow with the organisations.\n\n"
            "Paging: follow the `next` / `previous` links (parameter `cursor`); the last page "
            "costs what the first does. `offset` is still served as before (with `offset`, "
            "the links use `offset` too); `count` is always the total number of rows."
        ),
        responses={200: StatusRowSerializer(many=True), **ERRORS, **BAD_PARAMETER},
    )
)
class CycleStatusView(CycleAPIView):
    serializer_class = StatusRowSerializer
    pagination_class = KeysetPagination

    def get(self, request: Request, pk: int) -> Response:
        cycle = self.get_object()
        if cycle.plan_id in self.overseen():
            organisations = expected_with_report(
                cycle, with_reports=True, node=self.node(cycle.plan)
            )
        else:
            organisations = expected_with_report(cycle, with_reports=True, everywhere=True)
            organisations = organisations.filter(pk__in=reporter_organisation_ids(request.user))
        # Counted and sliced in the database; only the page becomes rows.
        page = expected_rows(self.paginate_queryset(organisations), cycle)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    get=extend_schema(
        tags=["cycles"],
        operation_id="cycles_rollup",
        summary=_("Số liệu tổng hợp của kỳ / the cycle's provincial totals"),
        description=_(
            "Số liệu của kỳ và tổng của từng chỉ tiêu, so với kỳ trước. Mặc định chỉ cộng báo "
            "cáo đã tiếp nhận; `include_submitted=true` cộng cả báo cáo đã gửi chưa tiếp nhận, "
            "và câu trả lời luôn ghi rõ cách tính. Chỉ người theo dõi kế hoạch; báo cáo viên "
            "nhận 403.\n\n"
            "The cycle's figures and every indicator's total, with the previous cycle's. By "
            "default only accepted reports count; `include_submitted=true` adds submitted "
            "ones, and the answer always says which. Only for those who oversee the plan; "
            "reporters get 403."
        ),
        parameters=[RollupQuerySerializer],
        responses={200: RollupSerializer, **ERRORS, **FORBIDDEN},
    )
)
class CycleRollupView(CycleAPIView):
    serializer_class = RollupSerializer
    pagination_class = None
    oversee = True

    def get(self, request: Request, pk: int) -> Response:
        cycle = self.get_object()
        query = RollupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        previous = previous_cycle(cycle)
        node = self.node(cycle.plan)
        totals = indicator_totals(
            cycle,
            include_submitted=query.validated_data["include_submitted"],
            previous=previous,
            node=node,
        )
        rollup = {
            "cycle": cycle,
            "previous_cycle": previous,
            "include_submitted": totals.include_submitted,
            "figures": cycle_figures(cycle, node),
            "indicators": totals.rows,
        }
        return Response(self.get_serializer(rollup).data)


@extend_schema_view(
    get=extend_schema(
        tags=["organisations"],
        operation_id="organisations_history",
        summary=_(
            "Các năm của một đơn vị và tiền thân / an organisation's years, with its predecessors'"
        ),
        description=_(
            "Mọi báo cáo người dùng được xem của đơn vị và của các tổ chức đã sáp nhập, chia "
            "tách vào nó, năm mới nhất trước, mỗi báo cáo với tên đơn vị khi viết. 404 nếu "
            "không có đơn vị hoặc người dùng không có vai trò.\n\n"
            "Every report the user may read of the organisation and of the organisations "
            "merged or split into it, newest year first, each under the name it was written "
            "under. 404 for an unknown organisation or a user without a role."
        ),
        responses={200: HistoryRowSerializer(many=True), **ERRORS},
    )
)
class OrganisationHistoryView(ReadOnlyAPIMixin, GenericAPIView):
    serializer_class = HistoryRowSerializer
    pagination_class = None

    def get(self, request: Request, code: str) -> Response:
        organisation = get_organisation_for_user(request.user, code)
        reports = lineage_reports_for(request.user, organisation)
        context = {**self.get_serializer_context(), "organisation": organisation}
        return Response(HistoryRowSerializer(reports, many=True, context=context).data)


class SchemaView(ReadOnlyAPIMixin, SpectacularAPIView):
    """The OpenAPI document (YAML, or JSON with ?format=json), for the same people as the
    API itself."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # Errors in JSON like the rest of the API, not in the document's YAML.
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
