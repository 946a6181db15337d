"""The dashboard of a cycle and the rollup: reviewers and leaders of every committee
read them at their own level (the province's, a district's), administrators at the top;
reporters, who can see the cycle and the plan, are refused; people with no role get 404.
The pages are GET only; their files answer GET (links) and POST (the pages' buttons), at
once for the small world. Other levels, asked for by code: see matrix_cascade; the jobs
that write large files: matrix_exports."""

from tests.plan112.matrix_common import ALL_405, OVERSEERS_ONLY

# Each committee's overseers read their own level (the default node).
READERS_ONLY = OVERSEERS_ONLY

ENTRIES = {
    "reports:dashboard": (lambda w: {"pk": w["cycle"].pk}, READERS_ONLY, ALL_405),
    "reports:dashboard_panel": (
        lambda w: {"pk": w["cycle"].pk, "panel": "lich-su"},
        READERS_ONLY,
        ALL_405,
    ),
    "reports:dashboard_export": (
        lambda w: {"pk": w["cycle"].pk, "fmt": "xlsx"},
        READERS_ONLY,
        READERS_ONLY,
    ),
    "reports:rollup": (lambda w: {"plan_code": w["plan"].code}, READERS_ONLY, ALL_405),
    "reports:rollup_export": (
        lambda w: {"plan_code": w["plan"].code, "fmt": "xlsx"},
        READERS_ONLY,
        READERS_ONLY,
    ),
}
