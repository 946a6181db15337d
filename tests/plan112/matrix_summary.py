"""The yearly summary's pages in the permission matrix."""

from django.core.files.base import ContentFile

from reports.models import SummaryStatus, YearlySummary
from tests.plan112.matrix_common import ALL_405, MANAGE_CYCLE, PROVINCE_READERS, as_post

# Reviewers and leaders of the plan's top committee (and administrators) read the
# summary; the districts' overseers and reporters, who can see the cycle, may not;
# people with no role do not know it exists.
READ_SUMMARY = PROVINCE_READERS


def _with_word_file(w) -> dict:
    """A built summary with its Word file, so the download can answer 200."""
    summary, _ = YearlySummary.objects.get_or_create(
        cycle=w["cycle"], defaults={"status": SummaryStatus.DONE, "progress": 100}
    )
    if not summary.docx:
        summary.docx.save("bao-cao-tong-hop.docx", ContentFile(b"PK\x03\x04"), save=True)
    return {"pk": w["cycle"].pk, "kind": "docx"}


ENTRIES = {
    "reports:summary_detail": (lambda w: {"pk": w["cycle"].pk}, READ_SUMMARY, ALL_405),
    "reports:summary_status": (lambda w: {"pk": w["cycle"].pk}, READ_SUMMARY, ALL_405),
    "reports:summary_start": (
        lambda w: {"pk": w["cycle"].pk},
        ALL_405,
        as_post(MANAGE_CYCLE),
    ),
    "reports:summary_download": (_with_word_file, READ_SUMMARY, ALL_405),
}


def _draft_part(w) -> dict:
    """The cycle's draft, opened by the reviewer, and its first part."""
    from reports.summary.services import draft_open

    draft = draft_open(cycle=w["cycle"], actor=w["reviewer"])
    return {"pk": w["cycle"].pk, "part_pk": draft.parts.order_by("position").first().pk}


ENTRIES |= {
    "reports:draft_detail": (lambda w: {"pk": w["cycle"].pk}, READ_SUMMARY, ALL_405),
    "reports:draft_regenerate": (
        lambda w: {"pk": w["cycle"].pk},
        ALL_405,
        as_post(MANAGE_CYCLE),
    ),
    # An empty form is refused with a message on the page it returns to.
    "reports:draft_part_save": (_draft_part, ALL_405, as_post(MANAGE_CYCLE)),
    "reports:draft_part_resolve": (_draft_part, ALL_405, as_post(MANAGE_CYCLE)),
    "reports:draft_part_restore": (
        lambda w: _draft_part(w) | {"number": 1},
        ALL_405,
        as_post(MANAGE_CYCLE),
    ),
}
