"""The API, at /api/. Version 1 lives under /api/v1/; the schema at /api/schema/.

Every view is exempt from LoginRequiredMiddleware: the API answers an anonymous caller
itself, with 401 and `WWW-Authenticate` in JSON, instead of a redirect to the sign-in
page that no API client can follow.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from reports.api import views

app_name = "api"

urlpatterns = [
    path("v1/cycles/", login_not_required(views.CycleListView.as_view()), name="cycle-list"),
    path(
        "v1/cycles/<int:pk>/",
        login_not_required(views.CycleDetailView.as_view()),
        name="cycle-detail",
    ),
    path(
        "v1/cycles/<int:pk>/status/",
        login_not_required(views.CycleStatusView.as_view()),
        name="cycle-status",
    ),
    path(
        "v1/cycles/<int:pk>/rollup/",
        login_not_required(views.CycleRollupView.as_view()),
        name="cycle-rollup",
    ),
    path(
        "v1/organisations/<str:code>/history/",
        login_not_required(views.OrganisationHistoryView.as_view()),
        name="organisation-history",
    ),
    path("schema/", login_not_required(views.SchemaView.as_view()), name="schema"),
]
