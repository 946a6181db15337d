"""The read-only API: the pages' scope, in JSON. Every method but GET is 405 for everyone.

Anonymous callers get 401 with `WWW-Authenticate: Basic` on GET (not the sign-in
redirect of the pages) and 405 on POST; see tests/reports/test_api.py.
"""

from tests.plan112.matrix_common import ALL_405, OVERSEERS_ONLY, ROLES_200

ENTRIES = {
    "api:cycle-list": (lambda w: {}, ROLES_200, ALL_405),
    "api:cycle-detail": (lambda w: {"pk": w["cycle"].pk}, ROLES_200, ALL_405),
    "api:cycle-status": (lambda w: {"pk": w["cycle"].pk}, ROLES_200, ALL_405),
    "api:cycle-rollup": (lambda w: {"pk": w["cycle"].pk}, OVERSEERS_ONLY, ALL_405),
    "api:schema": (lambda w: {}, ROLES_200, ALL_405),
}
