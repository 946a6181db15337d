import datetime as dt

import pytest

from organisations.change_plans import Decision, NewOrganisation, RestructuringError
from organisations.models import (
    ChangeKind,
    LinkRole,
    MembersAction,
    Membership,
    Organisation,
    OrganisationChange,
    Role,
)
from organisations.selectors import organisation_names_on
from organisations.services import (
    organisation_change_preview,
    organisation_close,
    organisation_merge,
    organisation_move,
    organisation_rename,
    organisation_split,
)
from tests.conftest import make_user

D = dt.date
JULY = D(2025, 7, 1)
DECISION = Decision(number="1234-QĐ/TW", date=D(2025, 6, 30), issuer="Bộ Chính trị")


def fresh(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def test_merge_closes_sources_and_moves_memberships(organisations, admin_user):
    hcl, hct = organisations["TV-HCL"], organisations["TV-HCT"]
    anna = make_user("anna", organisation=hcl, role=Role.REPORTER)
    Membership.objects.create(user=anna, organisation=hct, role=Role.REPORTER)
    make_user("binh", organisation=hct, role=Role.REVIEWER)

    change = organisation_merge(
        sources=[hcl, hct],
        target=NewOrganisation(
            code="TV-HCLCT", name="Huyện ủy Càng Long - Châu Thành", kind="district_committee"
        ),
        effective_on=JULY,
        decision=DECISION,
        note="Thí điểm",
        actor=admin_user,
    )

    target = Organisation.objects.get(code="TV-HCLCT")
    assert target.valid_from == JULY
    assert target.parent == organisations["TV-TU"]
    for old in (hcl, hct):
        old = fresh(old)
        assert old.valid_to == D(2025, 6, 30)
        assert old.successor == target
    assert set(target.memberships.values_list("user__username", "role")) == {
        ("anna", Role.REPORTER),
        ("binh", Role.REVIEWER),
    }
    # anna reported for both: one membership carries on, the other ends, none is lost.
    assert not Membership.objects.filter(organisation__in=[hcl, hct]).exists()
    assert change.kind == ChangeKind.MERGE
    assert change.applied_by == admin_user
    assert change.decision_number == "1234-QĐ/TW"
    assert {(o.code) for o in change.sources} == {"TV-HCL", "TV-HCT"}
    assert [o.code for o in change.organisations_in(LinkRole.HEIR)] == ["TV-HCLCT"]
    actions = {(m["person"], m["from"], m["action"]) for m in change.details["memberships"]}
    assert actions == {
        ("anna", "TV-HCL", "moved"),
        ("anna", "TV-HCT", "kept"),
        ("binh", "TV-HCT", "moved"),
    }
    assert change.details["created"] == ["TV-HCLCT"]


def test_merge_can_end_memberships(organisations):
    make_user("anna", organisation=organisations["TV-HCL"], role=Role.REPORTER)
    change = organisation_merge(
        sources=[organisations["TV-HCL"]],
        target=organisations["TV-HCT"],
        effective_on=JULY,
        decision=DECISION,
        members=MembersAction.END,
    )
    assert not Membership.objects.filter(user__username="anna").exists()
    assert change.details["memberships"][0]["action"] == "ended"


def test_merge_hands_active_children_to_the_target(organisations):
    hcl = organisations["TV-HCL"]
    child = Organisation.objects.create(
        code="X-XA", name="Đảng ủy xã A", kind="grassroots", parent=hcl
    )
    gone = Organisation.objects.create(
        code="X-XB", name="Đảng ủy xã B", kind="grassroots", parent=hcl, valid_to=D(2024, 1, 1)
    )
    change = organisation_merge(
        sources=[hcl], target=organisations["TV-HCT"], effective_on=JULY, decision=DECISION
    )
    assert fresh(child).parent == organisations["TV-HCT"]
    assert fresh(gone).parent == hcl  # history stays where it happened
    moved = change.details["children_moved"]
    assert {"organisation": "X-XA", "from": "TV-HCL", "to": "TV-HCT"} in moved
    assert "X-XB" not in {row["organisation"] for row in moved}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sources": ["TV-HCL", "TV-HCL"], "target": "TV-HCT"}, "ghi lặp"),
        ({"sources": ["TV-HCL"], "target": "TV-HCL"}, "không thể đồng thời"),
        ({"sources": [], "target": "TV-HCT"}, "ít nhất một"),
        ({"sources": ["CLOSED"], "target": "TV-HCT"}, "đã kết thúc hoạt động"),
        ({"sources": ["LATE"], "target": "TV-HCT"}, "chỉ hoạt động từ ngày 01/07/2025"),
        ({"sources": ["TV-HCL"], "target": "CLOSED"}, "đã kết thúc hoạt động"),
        (
            {"sources": ["TV-HCL"], "target": NewOrganisation("TV-HCT", "Trùng", "cell")},
            "đã có",
        ),
    ],
)
def test_merge_refuses_what_cannot_be(organisations, arguments, message):
    Organisation.objects.create(code="CLOSED", name="Cũ", kind="cell", valid_to=D(2024, 12, 31))
    Organisation.objects.create(code="LATE", name="Mới", kind="cell", valid_from=JULY)
    by_code = {o.code: o for o in Organisation.objects.all()}
    target = arguments["target"]
    with pytest.raises(RestructuringError, match=message):
        organisation_merge(
            sources=[by_code[c] for c in arguments["sources"]],
            target=by_code[target] if isinstance(target, str) else target,
            effective_on=JULY,
            decision=DECISION,
        )
    assert not OrganisationChange.objects.exists()
    assert fresh(organisations["TV-HCL"]).valid_to is None


def test_merge_needs_a_decision_number(organisations):
    with pytest.raises(RestructuringError, match="số quyết định"):
        organisation_merge(
            sources=[organisations["TV-HCL"]],
            target=organisations["TV-HCT"],
            effective_on=JULY,
            decision=Decision(number=" "),
        )


def test_split_gives_history_and_people_to_the_heir(organisations):
    hcl = organisations["TV-HCL"]
    make_user("anna", organisation=hcl, role=Role.REPORTER)
    change = organisation_split(
        source=hcl,
        targets=[
            NewOrganisation("TV-A", "Đảng ủy A", "commune_committee"),
            NewOrganisation("TV-B", "Đảng ủy B", "commune_committee", parent="TV-TU"),
            organisations["TV-HCT"],
        ],
        heir="TV-A",
        effective_on=JULY,
        decision=DECISION,
    )
    hcl = fresh(hcl)
    assert hcl.valid_to == D(2025, 6, 30)
    assert hcl.successor.code == "TV-A"
    assert hcl.successor.parent == organisations["TV-TU"]
    assert Membership.objects.get(user__username="anna").organisation.code == "TV-A"
    assert {o.code for o in change.targets} == {"TV-A", "TV-B", "TV-HCT"}
    assert [o.code for o in change.organisations_in(LinkRole.HEIR)] == ["TV-A"]


@pytest.mark.parametrize(
    ("targets", "heir", "message"),
    [
        (["TV-HCT", "TV-HCK"], "TV-HTC", "phải là một trong"),
        (["TV-HCT"], "TV-HCT", "ít nhất hai"),
        (["TV-HCL", "TV-HCT"], "TV-HCT", "không thể đồng thời"),
    ],
)
def test_split_refuses_what_cannot_be(organisations, targets, heir, message):
    with pytest.raises(RestructuringError, match=message):
        organisation_split(
            source=organisations["TV-HCL"],
            targets=[organisations[c] for c in targets],
            heir=heir,
            effective_on=JULY,
            decision=DECISION,
        )
    assert fresh(organisations["TV-HCL"]).valid_to is None


def test_rename_keeps_the_old_name_for_earlier_days(organisations):
    hcl = organisations["TV-HCL"]
    change = organisation_rename(
        organisation=hcl,
        name="Đảng ủy Càng Long",
        short_name="ĐU Càng Long",
        effective_on=JULY,
        decision=DECISION,
    )
    hcl = fresh(hcl)
    assert hcl.name == "Đảng ủy Càng Long"
    assert hcl.name_on(D(2025, 6, 30)) == "Huyện ủy Càng Long"
    assert hcl.display_name_on(D(2024, 12, 31)) == "Huyện ủy Càng Long"
    assert hcl.name_on(JULY) == "Đảng ủy Càng Long"
    assert hcl.display_name_on(D(2026, 1, 1)) == "ĐU Càng Long"
    assert change.details["old_name"] == {
        "name": "Huyện ủy Càng Long",
        "short_name": "Huyện ủy Càng Long",
    }
    # A second rename: each earlier name keeps its own days.
    organisation_rename(
        organisation=hcl,
        name="Đảng ủy xã Càng Long",
        effective_on=D(2026, 1, 1),
        decision=DECISION,
    )
    hcl = fresh(hcl)
    assert hcl.name_on(D(2025, 1, 1)) == "Huyện ủy Càng Long"
    assert hcl.name_on(D(2025, 12, 31)) == "Đảng ủy Càng Long"
    assert hcl.name_on(D(2026, 1, 1)) == "Đảng ủy xã Càng Long"
    assert hcl.short_name == "ĐU Càng Long"  # not given: kept


def test_rename_refuses_same_name_and_earlier_date(organisations):
    hcl = organisations["TV-HCL"]
    with pytest.raises(RestructuringError, match="trùng"):
        organisation_rename(organisation=hcl, name=hcl.name, effective_on=JULY, decision=DECISION)
    organisation_rename(organisation=hcl, name="Tên mới", effective_on=JULY, decision=DECISION)
    with pytest.raises(RestructuringError, match="phải sau ngày"):
        organisation_rename(
            organisation=fresh(hcl), name="Tên khác", effective_on=JULY, decision=DECISION
        )


def test_names_of_many_organisations_on_a_day_in_one_query(
    organisations, django_assert_num_queries
):
    for code in ("TV-HCL", "TV-HCT", "TV-HCK"):
        organisation_rename(
            organisation=organisations[code],
            name=f"Mới {code}",
            effective_on=JULY,
            decision=DECISION,
        )
    rows = list(Organisation.objects.all())
    with django_assert_num_queries(1):
        names = organisation_names_on(rows, D(2024, 12, 31))
    by_code = {o.code: names[o.pk].name for o in rows}
    assert by_code["TV-HCL"] == "Huyện ủy Càng Long"
    assert by_code["TV-HCK"] == "Huyện ủy Cầu Kè"
    assert by_code["TV-TU"] == organisations["TV-TU"].name
    with django_assert_num_queries(0):
        later = organisation_names_on(rows, JULY)
    assert later[organisations["TV-HCL"].pk].name == "Mới TV-HCL"


def test_move_puts_an_organisation_under_another(organisations):
    cell = Organisation.objects.create(
        code="X-CB", name="Chi bộ X", kind="cell", parent=organisations["TV-HCL"]
    )
    change = organisation_move(
        organisation=cell, parent=organisations["TV-HCT"], effective_on=JULY, decision=DECISION
    )
    assert fresh(cell).parent == organisations["TV-HCT"]
    assert change.details["old_parent"] == "TV-HCL"
    assert change.details["new_parent"] == "TV-HCT"


def test_move_refuses_a_parent_inside_its_own_subtree(organisations):
    hcl = organisations["TV-HCL"]
    child = Organisation.objects.create(code="X-XA", name="Xã A", kind="grassroots", parent=hcl)
    cell = Organisation.objects.create(code="X-CB", name="Chi bộ", kind="cell", parent=child)
    for parent in (hcl, cell):
        with pytest.raises(RestructuringError, match="trực thuộc nó"):
            organisation_move(organisation=hcl, parent=parent, effective_on=JULY, decision=DECISION)
    with pytest.raises(RestructuringError, match="đã trực thuộc"):
        organisation_move(organisation=child, parent=hcl, effective_on=JULY, decision=DECISION)


def test_close_without_successor_ends_memberships(organisations):
    hcl = organisations["TV-DUKDN"]
    make_user("anna", organisation=hcl, role=Role.REPORTER)
    change = organisation_close(organisation=hcl, effective_on=JULY, decision=DECISION)
    assert fresh(hcl).valid_to == D(2025, 6, 30)
    assert fresh(hcl).successor is None
    assert not Membership.objects.filter(user__username="anna").exists()
    assert change.details["memberships"][0]["action"] == "ended"


def test_close_with_successor_moves_memberships(organisations):
    hcl = organisations["TV-HCL"]
    make_user("anna", organisation=hcl, role=Role.REPORTER)
    organisation_close(
        organisation=hcl, successor=organisations["TV-TU"], effective_on=JULY, decision=DECISION
    )
    assert Membership.objects.get(user__username="anna").organisation.code == "TV-TU"
    assert fresh(hcl).successor.code == "TV-TU"


def test_close_refuses_active_children_without_successor_and_closed_ones(organisations):
    with pytest.raises(RestructuringError, match="còn tổ chức trực thuộc"):
        organisation_close(
            organisation=organisations["TV-TU"], effective_on=JULY, decision=DECISION
        )
    organisation_close(organisation=organisations["TV-DUKDN"], effective_on=JULY, decision=DECISION)
    with pytest.raises(RestructuringError, match="đã kết thúc"):
        organisation_close(
            organisation=organisations["TV-DUKDN"], effective_on=D(2026, 1, 1), decision=DECISION
        )
    with pytest.raises(RestructuringError, match="chính nó"):
        organisation_close(
            organisation=organisations["TV-DUKCQ"],
            successor=organisations["TV-DUKCQ"],
            effective_on=JULY,
            decision=DECISION,
        )


def test_preview_lists_people_and_closures_and_changes_nothing(organisations):
    make_user("anna", organisation=organisations["TV-HCL"], role=Role.REPORTER)
    plan = organisation_change_preview(
        kind="merge",
        sources=[organisations["TV-HCL"], organisations["TV-HCT"]],
        target=organisations["TV-TU"],
        effective_on=JULY,
        decision=DECISION,
    )
    assert plan.closed == ["TV-HCL", "TV-HCT"]
    assert [(s.person, s.role, s.target) for s in plan.moved_memberships] == [
        ("anna", Role.REPORTER, "TV-TU")
    ]
    assert fresh(organisations["TV-HCL"]).valid_to is None
    assert Membership.objects.get(user__username="anna").organisation.code == "TV-HCL"
    assert not OrganisationChange.objects.exists()
