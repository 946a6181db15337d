from .models import OrganisationKind, Role
from .selectors import is_leader, is_reviewer, memberships_of

# The bodies that contribute to a plan's reports rather than report (an advisory body, the
# Front, a mass organisation); which of them a plan asks is the plan's data.
CONTRIBUTING_KINDS = {
    OrganisationKind.ADVISORY_BODY,
    OrganisationKind.FRONT,
    OrganisationKind.MASS_ORGANISATION,
}


def memberships(request):
    """What the top bar needs to show the right links; one query per request at most."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships_of(user),
        "i_review": is_reviewer(user),
        "i_lead": is_leader(user),
        # The "Đóng góp" link: the people who write for such a body, not its reviewers.
        "i_contribute": any(
            m.role == Role.REPORTER and m.organisation.kind in CONTRIBUTING_KINDS
            for m in memberships_of(user)
        ),
    }
