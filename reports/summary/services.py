"""Every change to the yearly summary's draft: opening it, saving a part, recomposing
its figures, taking or leaving a newer composed text, restoring an earlier version.

Each part carries a version number (optimistic locking): a save names the version it
started from, and one made from an older version is refused with the person's text
kept, so two people editing at once never overwrite each other silently. Recomposing
never replaces what a person wrote: the newer text waits beside it (``pending``) until a
person takes it or keeps their own. Every text a part has had is kept as a version.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organisations.models import User
from reports.documents.safe_text import strip_control
from reports.models import (
    DraftPart,
    DraftPartVersion,
    ReportingCycle,
    SummaryDraft,
    VersionSource,
)
from reports.services import ServiceError
from reports.summary.draft import compose

# A part of a yearly report is a few pages at most; a paste of a whole book is a mistake.
MAX_PART_LENGTH = 50_000


class DraftConflict(ServiceError):
    """The part was saved by someone else after this person opened it. ``part`` is the
    part as it now stands; the person's own text is the caller's to show again."""

    def __init__(self, part: DraftPart):
        self.part = part
        who = part.edited_by or _("hệ thống")
        when = date_format(
            timezone.localtime(part.edited_at or part.draft.composed_at), "SHORT_DATETIME_FORMAT"
        )
        super().__init__(
            _(
                "Phần “%(part)s” vừa được %(who)s cập nhật lúc %(when)s, sau khi đồng chí mở"
                " trang. Nội dung của đồng chí CHƯA được lưu và vẫn còn nguyên trong ô soạn"
                " thảo; hãy đối chiếu với bản hiện tại bên dưới rồi lưu lại."
            )
            % {"part": str(part), "who": who, "when": when}
        )


def clean_text(text: str) -> str:
    """The text as stored: control characters out, line breaks as LF, no trailing blanks."""
    text = strip_control(text).strip()
    if len(text) > MAX_PART_LENGTH:
        raise ServiceError(
            _("Nội dung quá dài (tối đa %(limit)s ký tự).") % {"limit": f"{MAX_PART_LENGTH:,}"}
        )
    return text


def _record(part: DraftPart, source: str, author: User | None) -> DraftPartVersion:
    return DraftPartVersion.objects.create(
        part=part, number=part.version, text=part.text, source=source, author=author
    )


def _locked(part: DraftPart, base_version: int) -> DraftPart:
    """The part, locked for this transaction, if nobody changed it since ``base_version``."""
    current = (
        DraftPart.objects.select_for_update(of=("self",))
        .select_related("draft", "edited_by")
        .get(pk=part.pk)
    )
    if current.version != base_version:
        raise DraftConflict(current)
    return current


@transaction.atomic
def draft_open(
    *, cycle: ReportingCycle, actor: User | None, include_submitted: bool = False
) -> SummaryDraft:
    """The cycle's draft, composed the first time it is opened (by a person, or by the
    summary's build when nobody opened it first: ``actor`` None)."""
    draft = SummaryDraft.objects.filter(cycle=cycle).first()
    if draft is not None:
        return draft
    now = timezone.now()
    try:
        with transaction.atomic():
            draft = SummaryDraft.objects.create(
                cycle=cycle,
                include_submitted=include_submitted,
                created_by=actor,
                created_at=now,
                composed_at=now,
                composed_by=actor,
            )
    except IntegrityError:
        # Opened by someone else a moment ago: theirs is the draft.
        return SummaryDraft.objects.get(cycle=cycle)
    parts = DraftPart.objects.bulk_create(
        DraftPart(
            draft=draft,
            key=composed.key,
            position=position,
            section=composed.section,
            heading=composed.heading,
            task_id=composed.task_id,
            text=composed.text,
            generated=composed.text,
            quotes=composed.quotes,
        )
        for position, composed in enumerate(
            compose(cycle, include_submitted=include_submitted), start=1
        )
    )
    DraftPartVersion.objects.bulk_create(
        DraftPartVersion(
            part=part, number=1, text=part.text, source=VersionSource.GENERATED, created_at=now
        )
        for part in parts
    )
    return draft


@transaction.atomic
def draft_part_save(*, part: DraftPart, text: str, base_version: int, actor: User) -> DraftPart:
    """Save a person's text as the part's next version. Refused (``DraftConflict``) when
    the part changed since ``base_version``; a text equal to the current one changes
    nothing."""
    text = clean_text(text)
    current = _locked(part, base_version)
    if text == current.text:
        return current
    current.text = text
    current.version += 1
    current.edited_by = actor
    current.edited_at = timezone.now()
    current.save(update_fields=["text", "version", "edited_by", "edited_at"])
    _record(current, VersionSource.EDITED, actor)
    return current


@transaction.atomic
def draft_part_restore(
    *, part: DraftPart, number: int, base_version: int, actor: User
) -> DraftPart:
    """Make an earlier version's text the part's text again, as a new version."""
    current = _locked(part, base_version)
    # A number past the column's range is no version (and must not reach the database).
    old = (
        DraftPartVersion.objects.filter(part=current, number=number).first()
        if 1 <= number <= current.version
        else None
    )
    if old is None:
        raise ServiceError(_("Không tìm thấy phiên bản %(number)s.") % {"number": number})
    if old.text == current.text:
        return current
    current.text = old.text
    current.version += 1
    current.edited_by = actor
    current.edited_at = timezone.now()
    current.save(update_fields=["text", "version", "edited_by", "edited_at"])
    _record(current, VersionSource.RESTORED, actor)
    return current


@transaction.atomic
def draft_part_resolve(
    *, part: DraftPart, take_new: bool, base_version: int, actor: User
) -> DraftPart:
    """A person's decision on a newer composed text: take it ("Dùng bản mới": the part is
    the composed text again, followed by later recompositions) or keep their own ("Giữ
    bản đã sửa")."""
    current = _locked(part, base_version)
    if current.pending is None:
        raise ServiceError(_("Phần này không có bản tổng hợp mới nào chờ quyết định."))
    if take_new:
        current.text = current.pending
        current.edited_by = None
        current.edited_at = None
        current.version += 1
    current.pending = None
    current.save(update_fields=["text", "pending", "edited_by", "edited_at", "version"])
    if take_new:
        _record(current, VersionSource.GENERATED, actor)
    return current


@transaction.atomic
def draft_regenerate(
    *, draft: SummaryDraft, actor: User | None, include_submitted: bool | None = None
) -> SummaryDraft:
    """Compose the draft again from today's figures. A part nobody edited takes the new
    text; a part a person edited keeps the person's text and, when the composed text
    changed, holds the new one as ``pending`` for the person to decide. Parts the plan
    no longer has are left as they are; new ones are added at the end of their order."""
    draft = SummaryDraft.objects.select_for_update().get(pk=draft.pk)
    if include_submitted is not None:
        draft.include_submitted = include_submitted
    now = timezone.now()
    parts = {part.key: part for part in DraftPart.objects.select_for_update().filter(draft=draft)}
    last = max((part.position for part in parts.values()), default=0)
    changed: list[DraftPart] = []
    versions: list[DraftPartVersion] = []
    for composed in compose(draft.cycle, include_submitted=draft.include_submitted):
        part = parts.get(composed.key)
        if part is None:
            last += 1
            part = DraftPart.objects.create(
                draft=draft, key=composed.key, position=last, section=composed.section,
                heading=composed.heading, task_id=composed.task_id, text=composed.text,
                generated=composed.text, quotes=composed.quotes,
            )  # fmt: skip
            versions.append(_version(part, VersionSource.GENERATED, actor, now))
            continue
        part.quotes = composed.quotes
        part.section, part.heading = composed.section, composed.heading
        if composed.text != part.generated:
            part.generated = composed.text
            if part.is_edited:
                # Nothing to decide when the person already wrote what is now composed.
                part.pending = composed.text if composed.text != part.text else None
            else:
                part.text = composed.text
                part.version += 1
                versions.append(_version(part, VersionSource.GENERATED, actor, now))
        changed.append(part)
    DraftPart.objects.bulk_update(
        changed, ["quotes", "section", "heading", "generated", "pending", "text", "version"]
    )
    DraftPartVersion.objects.bulk_create(versions)
    draft.composed_at = now
    draft.composed_by = actor
    draft.save(update_fields=["include_submitted", "composed_at", "composed_by"])
    return draft


def _version(part: DraftPart, source: str, author: User | None, at) -> DraftPartVersion:
    return DraftPartVersion(
        part=part, number=part.version, text=part.text, source=source, author=author, created_at=at
    )
