"""Who a plan's messages go to, read from the organisation tree in a fixed number of
queries: a province of a thousand cells costs what a province of ten does."""

import pytest

from organisations.models import Membership, Organisation, OrganisationKind, Role
from reports.models import SummaryStatus, YearlySummary
from reports.notifications.recipients import plan_reviewers
from reports.selectors import can_review, plans_overseen_by
from reports.summary.build import summary_recipients
from tests.conftest import make_user
from tests.reports.factories import make_cycle


def grow(organisations, size: int, *, prefix: str = "X") -> dict[str, list]:
    """``size`` districts under the plan's province, each with a cell below it holding a
    reviewer and a leader; and a second province as big, with its own reviewers and
    leaders. Returns the people made, by where they sit."""
    province = organisations["TV-TU"]
    elsewhere = Organisation.objects.create(
        code=f"{prefix}-VL", name="Tỉnh ủy Vĩnh Long", kind=OrganisationKind.PROVINCIAL_COMMITTEE
    )
    made: dict[str, list] = {"inside": [], "outside": []}
    for top, side in ((province, "inside"), (elsewhere, "outside")):
        for n in range(size):
            district = Organisation.objects.create(
                code=f"{prefix}-{side}-{n}", name=f"Huyện {n}",
                kind=OrganisationKind.DISTRICT_COMMITTEE, parent=top,
            )  # fmt: skip
            cell = Organisation.objects.create(
                code=f"{prefix}-{side}-{n}-cb", name=f"Chi bộ {n}",
                kind=OrganisationKind.CELL, parent=district,
            )  # fmt: skip
            person = make_user(f"{prefix}-{side}-{n}", organisation=cell, role=Role.REVIEWER)
            Membership.objects.create(user=person, organisation=cell, role=Role.LEADER)
            made[side].append(person)
    return made


@pytest.mark.parametrize("size", [2, 30])
def test_plan_reviewers_take_one_query_at_any_size(
    plan, organisations, reviewer, leader, size, django_assert_num_queries
):
    people = grow(organisations, size)
    with django_assert_num_queries(1):
        reviewers = plan_reviewers(plan)
    names = [user.username for user in reviewers]
    assert names == sorted(["reviewer", *(p.username for p in people["inside"])])


def test_plan_reviewers_are_exactly_the_people_who_can_review_the_plan(
    plan, organisations, reviewer, leader, reporter, admin_user
):
    people = grow(organisations, 3)
    gone = make_user("gone", organisation=organisations["TV-BTC"], role=Role.REVIEWER)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    # A reviewer of two organisations of the province is written to once.
    Membership.objects.create(user=reviewer, organisation=organisations["TV-HCL"], role="reviewer")

    reviewers = plan_reviewers(plan)

    assert len(reviewers) == len({user.pk for user in reviewers})
    everyone = [reviewer, leader, reporter, *people["inside"], *people["outside"]]
    assert {u.pk for u in reviewers} == {u.pk for u in everyone if can_review(u, plan.pk)}
    assert gone not in reviewers
    assert admin_user not in reviewers


@pytest.mark.parametrize("size", [2, 30])
def test_summary_recipients_take_one_query_at_any_size(
    plan, organisations, reviewer, leader, size, django_assert_num_queries
):
    people = grow(organisations, size)
    cycle = make_cycle(plan, reviewer)
    made = YearlySummary.objects.create(
        cycle=cycle, status=SummaryStatus.DONE, requested_by=reviewer
    )
    summary = YearlySummary.objects.select_related("cycle__plan").get(pk=made.pk)

    with django_assert_num_queries(1):
        recipients = summary_recipients(summary)

    assert recipients == {leader.pk, reviewer.pk, *(p.pk for p in people["inside"])}


def test_summary_recipients_leave_out_inactive_leaders(plan, organisations, reviewer, leader):
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    summary = YearlySummary.objects.create(
        cycle=make_cycle(plan, reviewer), status=SummaryStatus.DONE
    )
    assert summary_recipients(summary) == set()


@pytest.mark.parametrize("size", [2, 30])
def test_plans_overseen_take_a_fixed_number_of_queries(
    plan, organisations, size, django_assert_num_queries
):
    people = grow(organisations, size)
    inside, outside = people["inside"][-1], people["outside"][-1]
    # The person's memberships, the plans, and the tops of both: one query each. Where a
    # plan comes from another province, one more asks which province carries it on now.
    with django_assert_num_queries(3):
        assert plans_overseen_by(inside) == {plan.pk}
    with django_assert_num_queries(4):
        assert plans_overseen_by(outside) == set()
