"""The dashboard of a cycle and the provincial rollup: reviewers, leaders and
administrators read them; reporters, who can see the cycle and the plan, are refused;
people with no role get 404. Everything is GET only."""

from tests.plan112.matrix_common import ALL_405

READERS_ONLY = {
    "reporter": 403,
    "other_reporter": 403,
    "body_reporter": 403,
    "reviewer": 200,
    "leader": 200,
    "admin_user": 200,
    "outsider": 404,
}

ENTRIES = {
    "reports:dashboard": (lambda w: {"pk": w["cycle"].pk}, READERS_ONLY, ALL_405),
    "reports:dashboard_export": (
        lambda w: {"pk": w["cycle"].pk, "fmt": "xlsx"},
        READERS_ONLY,
        ALL_405,
    ),
    "reports:rollup": (lambda w: {"plan_code": w["plan"].code}, READERS_ONLY, ALL_405),
    "reports:rollup_export": (
        lambda w: {"plan_code": w["plan"].code, "fmt": "xlsx"},
        READERS_ONLY,
        ALL_405,
    ),
}
