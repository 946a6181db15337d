"""The top bar's "Tổng hợp" menu: a link to each plan's rollup for those who read them."""

from django.urls import reverse


def test_top_bar_links_to_the_plan_rollup_for_reviewers_and_leaders(
    client_for, plan, reviewer, leader
):
    rollup = reverse("reports:rollup", args=[plan.code])
    for user in (reviewer, leader):
        assert (
            f'href="{rollup}"'
            in client_for(user).get(reverse("organisations:list")).content.decode()
        )


def test_top_bar_has_no_rollup_link_for_reporters(client_for, plan, reporter):
    rollup = reverse("reports:rollup", args=[plan.code])
    assert (
        f'href="{rollup}"'
        not in client_for(reporter).get(reverse("organisations:list")).content.decode()
    )
