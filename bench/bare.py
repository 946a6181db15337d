"""Hand-written SQL that returns the figures the dashboard and the rollup show, to
measure each page against: what a person who knows the schema would write to get the
same numbers, run straight through a cursor, with no ORM, no template, no Python
around it. `tests/bench/test_bare_sql.py` checks that they return what the pages show.

- Dashboard of one cycle at one committee: the cards and the doughnut (how many
  organisations are expected, submitted, on time, accepted, in each status) and one
  page of 100 rows of the table (organisation, status, first submission, submissions),
  overdue first. The page orders the rest in the Party's usual order (a collation and a
  rank of kinds); here the rest is ordered by code, which costs the same.
- Rollup of one year at one committee: each indicator's total this year and last year
  over the accepted reports addressed to the committee's line (from the running totals,
  as anyone would once they exist), and each year's expected, submitted and on-time
  counts (the trend).

The parameters are worked out in Python beforehand (not timed): the committee's line,
the plan's reporting kinds, the cycles' periods and due dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# Who a cycle expects at one committee (reports.figures.definitions, module docstring):
# organisations of the plan's scope whose reports come to the committee (their parent is
# one of the line's committees, or a body under the line that is not a committee), that
# exist on the period's last day; or that closed during the period after submitting,
# when no successor in the scope answers for them.
_EXPECTED = """
WITH parents AS (
    SELECT id FROM organisations_organisation
    WHERE (id = ANY(%(line)s) AND kind = ANY(%(committees)s))
       OR (parent_id = ANY(%(line)s) AND NOT kind = ANY(%(committees)s))
), expected AS (
    SELECT o.id, o.code, o.name, o.kind, r.status, r.first_submitted_at, r.submission_count,
           COALESCE(d.due, %(due)s) AS due
    FROM organisations_organisation o
    LEFT JOIN reports_annualreport r ON r.organisation_id = o.id AND r.cycle_id = %(cycle)s
    LEFT JOIN organisations_organisation s ON s.id = o.successor_id
    LEFT JOIN (SELECT unnest(%(early_kinds)s::varchar[]) AS kind,
                      unnest(%(early_dues)s::timestamptz[]) AS due) d ON d.kind = o.kind
    WHERE o.parent_id IN (SELECT id FROM parents)
      AND (o.kind = ANY(%(kinds)s) OR o.id = ANY(%(named)s))
      AND (
        ((o.valid_from IS NULL OR o.valid_from <= %(end)s)
          AND (o.valid_to IS NULL OR o.valid_to >= %(end)s))
        OR ((o.valid_from IS NULL OR o.valid_from <= %(end)s) AND o.valid_to >= %(start)s
          AND o.valid_to < %(end)s AND r.first_submitted_at IS NOT NULL
          AND NOT (s.id IS NOT NULL AND (s.kind = ANY(%(kinds)s) OR s.id = ANY(%(named)s))
                   AND (s.valid_from IS NULL OR s.valid_from <= %(end)s)
                   AND (s.valid_to IS NULL OR s.valid_to >= %(end)s)))
      )
)
"""

DASHBOARD_FIGURES = (
    _EXPECTED
    + """
SELECT COUNT(*),
       COUNT(first_submitted_at),
       COUNT(*) FILTER (WHERE first_submitted_at <= due),
       COUNT(*) FILTER (WHERE status = 'accepted'),
       COUNT(*) FILTER (WHERE status = 'submitted'),
       COUNT(*) FILTER (WHERE status = 'returned'),
       COUNT(*) FILTER (WHERE status = 'draft')
FROM expected
"""
)

DASHBOARD_PAGE = (
    _EXPECTED
    + """
SELECT id, code, name, status, first_submitted_at, submission_count
FROM expected
ORDER BY (first_submitted_at IS NULL AND %(today)s > due) DESC, code
LIMIT 100
"""
)

ROLLUP_TOTALS = """
SELECT cycle_id, indicator_id, SUM(total), SUM(count)
FROM reports_indicatortally
WHERE cycle_id = ANY(%(cycles)s) AND status = 'accepted' AND node = ANY(%(line)s) AND count > 0
GROUP BY cycle_id, indicator_id
"""

# Each year's expected, submitted and on-time counts, for the trend. The expected ones
# of every year in one pass over the committee's organisations, as the page does.
ROLLUP_YEARS = """
WITH parents AS (
    SELECT id FROM organisations_organisation
    WHERE (id = ANY(%(line)s) AND kind = ANY(%(committees)s))
       OR (parent_id = ANY(%(line)s) AND NOT kind = ANY(%(committees)s))
), years AS (
    SELECT unnest(%(cycles)s::int[]) AS cycle_id, unnest(%(starts)s::date[]) AS start,
           unnest(%(ends)s::date[]) AS finish, unnest(%(dues)s::timestamptz[]) AS due,
           unnest(%(early_dues_by_cycle)s::timestamptz[]) AS early_due
)
SELECT y.cycle_id, COUNT(o.id), COUNT(r.first_submitted_at),
       COUNT(*) FILTER (WHERE r.first_submitted_at <= CASE WHEN o.kind = ANY(%(early_kinds)s)
                                                          THEN y.early_due ELSE y.due END)
FROM years y
CROSS JOIN organisations_organisation o
LEFT JOIN reports_annualreport r ON r.organisation_id = o.id AND r.cycle_id = y.cycle_id
LEFT JOIN organisations_organisation s ON s.id = o.successor_id
WHERE o.parent_id IN (SELECT id FROM parents)
  AND (o.kind = ANY(%(kinds)s) OR o.id = ANY(%(named)s))
  AND (o.valid_from IS NULL OR o.valid_from <= y.finish)
  AND (
    o.valid_to IS NULL OR o.valid_to >= y.finish
    OR (o.valid_to >= y.start AND r.first_submitted_at IS NOT NULL
        AND NOT (s.id IS NOT NULL AND (s.kind = ANY(%(kinds)s) OR s.id = ANY(%(named)s))
                 AND (s.valid_from IS NULL OR s.valid_from <= y.finish)
                 AND (s.valid_to IS NULL OR s.valid_to >= y.finish)))
  )
GROUP BY y.cycle_id
"""


@dataclass(frozen=True)
class Figures:
    expected: int
    actual: int
    on_time: int
    accepted: int
    submitted: int
    returned: int
    draft: int


def parameters(cycle, node=None, cycles=None) -> dict:
    """The query parameters for a cycle at a committee (the plan's top when None), read
    through the application's own definitions (not timed)."""
    from tasks.lines import COMMITTEES, plan_lines, top_node
    from tasks.selectors import reporting_scope

    plan = cycle.plan
    node = node or top_node(plan)
    lines = plan_lines(plan)
    early = sorted(kind for kind in lines.by_kind if lines.days_before_due(kind))
    scope = reporting_scope(plan)
    cycles = cycles or [cycle]
    return {
        "cycle": cycle.pk,
        "line": sorted(node.line),
        "committees": sorted(str(kind) for kind in COMMITTEES),
        "kinds": sorted(scope.kinds),
        "named": sorted(scope.named),
        "start": cycle.period_start,
        "end": cycle.period_end,
        "due": cycle.deadline,
        "early_kinds": early,
        "early_dues": [cycle.deadline_for(kind) for kind in early],
        "today": dt.datetime.now(dt.UTC),
        "cycles": [c.pk for c in cycles],
        "starts": [c.period_start for c in cycles],
        "ends": [c.period_end for c in cycles],
        "dues": [c.deadline for c in cycles],
        # One early due date per cycle: every early kind of 112-KH/TU is due the same
        # number of days before (15); the test checks the figures match.
        "early_dues_by_cycle": [c.deadline_for(early[0]) if early else c.deadline for c in cycles],
    }


def dashboard(cursor, params: dict) -> tuple[Figures, list[tuple]]:
    cursor.execute(DASHBOARD_FIGURES, params)
    figures = Figures(*cursor.fetchone())
    cursor.execute(DASHBOARD_PAGE, params)
    return figures, cursor.fetchall()


def rollup(cursor, params: dict) -> tuple[dict, dict]:
    """Indicator totals by (cycle id, indicator id), and each cycle's (expected, actual,
    on time)."""
    cursor.execute(ROLLUP_TOTALS, params)
    totals: dict[tuple[int, int], Decimal] = {
        (cycle_id, indicator_id): total for cycle_id, indicator_id, total, _n in cursor.fetchall()
    }
    cursor.execute(ROLLUP_YEARS, params)
    years = {
        cycle_id: (expected, actual, on_time) for cycle_id, expected, actual, on_time in cursor
    }
    return totals, years
