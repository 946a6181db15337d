"""The cascade in the permission matrix: a grassroots unit's report addressed to its
district, and the pages that show one level of the cascade (``?don_vi=`` / ``?node=``).

CHILD_ENTRIES run every report-level URL against Đảng ủy xã An Trường's submitted report
(TV-HCL-XANTRUONG, addressed to Huyện ủy Càng Long): the district's reviewer acts on it,
the province reads it but leaves the review to the district, Cầu Kè's reviewer and the
district's own reporter do not know it exists. NODE_ENTRIES: label → (url name, kwargs
from the world, query string, expected GET per persona).
"""

from tests.plan112.matrix_common import ALL_405, OVERSEERS_ONLY, ROLES_200

UNIT = "TV-HCL-XANTRUONG"

READ_CHILD = {
    "reporter": 404,  # the district's reporter writes for TV-HCL, not for its units
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 200,  # the province reads every level
    "leader": 200,
    "admin_user": 200,
    "outsider": 404,
    "district_reviewer": 200,
    "other_district_reviewer": 404,
    "grassroots_reporter": 200,
}
REVIEW_CHILD = {
    "reporter": 404,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 403,  # addressed to the district, not to the province
    "leader": 403,
    "admin_user": 302,
    "outsider": 404,
    "district_reviewer": 302,
    "other_district_reviewer": 404,
    "grassroots_reporter": 403,
}
# The unit's reporter may act (the report is submitted, so each action lands back on it
# with a message); everyone who reads it without writing for it is refused.
WRITE_CHILD = {
    "reporter": 404,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 403,
    "leader": 403,
    "admin_user": 403,
    "outsider": 404,
    "district_reviewer": 403,
    "other_district_reviewer": 404,
    "grassroots_reporter": 302,
}


def _report(w) -> dict:
    return {"pk": w["child"].pk}


def _attachment(w) -> dict:
    return {"pk": w["child"].pk, "attachment_pk": w["child_attachment"].pk}


CHILD_ENTRIES = {
    "reports:report_detail": (_report, READ_CHILD, ALL_405),
    "reports:report_print": (_report, READ_CHILD, ALL_405),
    "reports:report_docx": (_report, READ_CHILD, ALL_405),
    "reports:report_edit": (_report, WRITE_CHILD, WRITE_CHILD),
    "reports:report_return": (_report, ALL_405, REVIEW_CHILD),
    "reports:report_accept": (_report, ALL_405, REVIEW_CHILD),
    # Reopening a submitted report is refused by the service, with a message: the
    # answer is still the reviewer's redirect, the others' 403/404.
    "reports:report_reopen": (_report, ALL_405, REVIEW_CHILD),
    "reports:attachment_upload": (_report, ALL_405, WRITE_CHILD),
    "reports:attachment_download": (_attachment, READ_CHILD, ALL_405),
    "reports:attachment_remove": (_attachment, ALL_405, WRITE_CHILD),
    "reports:report_start": (
        lambda w: {"pk": w["cycle"].pk, "code": UNIT},
        # Those who read the unit's reports follow the link to the existing one.
        READ_CHILD
        | {"reviewer": 302, "leader": 302, "admin_user": 302}
        | {"district_reviewer": 302, "grassroots_reporter": 302},
        WRITE_CHILD,
    ),
    "reports:reminder_send": (
        lambda w: {"pk": w["cycle"].pk, "code": UNIT},
        ALL_405,
        # The district reminds its units; reporters and the province see the cycle (403).
        REVIEW_CHILD | {"reporter": 403, "other_reporter": 403, "body_reporter": 403},
    ),
}

# One level of the cascade, asked for by code.
DISTRICT_LEVEL = OVERSEERS_ONLY | {"other_district_reviewer": 404}
PROVINCE_LEVEL = OVERSEERS_ONLY | {"district_reviewer": 404, "other_district_reviewer": 404}
# Reporters are not overseers: the code is ignored and they get their own rows.
LIST_AT_DISTRICT = ROLES_200 | {"other_district_reviewer": 404}
# A code that names no committee is out of everyone's reach.
OVERSEERS = [persona for persona, status in OVERSEERS_ONLY.items() if status == 200]
NOT_A_COMMITTEE = OVERSEERS_ONLY | dict.fromkeys(OVERSEERS, 404)


def _cycle(w) -> dict:
    return {"pk": w["cycle"].pk}


def _plan(w) -> dict:
    return {"plan_code": w["plan"].code}


NODE_ENTRIES = {
    "dashboard TV-HCL": ("reports:dashboard", _cycle, {"don_vi": "TV-HCL"}, DISTRICT_LEVEL),
    "dashboard unit": ("reports:dashboard", _cycle, {"don_vi": UNIT}, DISTRICT_LEVEL),
    "dashboard province": ("reports:dashboard", _cycle, {"don_vi": "TV-TU"}, PROVINCE_LEVEL),
    "dashboard body": ("reports:dashboard", _cycle, {"don_vi": "TV-BTC"}, NOT_A_COMMITTEE),
    "heat map TV-HCL": (
        "reports:dashboard_panel",
        lambda w: _cycle(w) | {"panel": "bang-nhiet"},
        {"don_vi": "TV-HCL"},
        DISTRICT_LEVEL,
    ),
    "dashboard export TV-HCL": (
        "reports:dashboard_export",
        lambda w: _cycle(w) | {"fmt": "xlsx"},
        {"don_vi": "TV-HCL"},
        DISTRICT_LEVEL,
        DISTRICT_LEVEL,  # the page's button posts to the same address
    ),
    "rollup TV-HCL": ("reports:rollup", _plan, {"don_vi": "TV-HCL"}, DISTRICT_LEVEL),
    "rollup province": ("reports:rollup", _plan, {"don_vi": "TV-TU"}, PROVINCE_LEVEL),
    "rollup export TV-HCL": (
        "reports:rollup_export",
        lambda w: _plan(w) | {"fmt": "xlsx"},
        {"don_vi": "TV-HCL"},
        DISTRICT_LEVEL,
        DISTRICT_LEVEL,
    ),
    "cycle page TV-HCL": ("reports:cycle_detail", _cycle, {"don_vi": "TV-HCL"}, LIST_AT_DISTRICT),
    "cycle page unknown": (
        "reports:cycle_detail",
        _cycle,
        {"don_vi": "KHONG-CO"},
        ROLES_200 | dict.fromkeys(OVERSEERS, 404),
    ),
    "api status TV-HCL": ("api:cycle-status", _cycle, {"node": "TV-HCL"}, LIST_AT_DISTRICT),
    "api rollup TV-HCL": ("api:cycle-rollup", _cycle, {"node": "TV-HCL"}, DISTRICT_LEVEL),
    "api rollup province": ("api:cycle-rollup", _cycle, {"node": "TV-TU"}, PROVINCE_LEVEL),
    "api detail TV-HCL": ("api:cycle-detail", _cycle, {"node": "TV-HCL"}, LIST_AT_DISTRICT),
    "api list TV-HCL": ("api:cycle-list", lambda w: {}, {"node": "TV-HCL"}, LIST_AT_DISTRICT),
    "cycle page province": (
        "reports:cycle_detail",
        _cycle,
        {"don_vi": "TV-TU"},
        ROLES_200 | {"district_reviewer": 404, "other_district_reviewer": 404},
    ),
}
