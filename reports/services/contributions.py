"""Contributions to the provincial report (plan data ``contributors``): a body that guides
and coordinates "theo chức năng, nhiệm vụ" writes its words on its tasks and sends them to
Ban Tổ chức. Not a report: nobody reviews or returns it, and it never counts in a rate.

Like a report, two people writing one contribution never overwrite each other silently:
every save names the version it was based on, and a stale one is refused."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organisations.models import Organisation, User
from reports.models import Contribution, ContributionPart, ContributionStatus, ReportingCycle
from reports.services import ServiceError
from tasks.models import Task


class ContributionConflict(ServiceError):
    """Somebody saved the contribution after this user opened it; nothing was saved."""

    def __init__(self, contribution: Contribution):
        self.contribution = contribution
        who = contribution.updated_by or _("một người khác")
        when = date_format(timezone.localtime(contribution.updated_at), "SHORT_DATETIME_FORMAT")
        super().__init__(
            _(
                "Ý kiến đóng góp vừa được %(who)s lưu lúc %(when)s, sau khi đồng chí mở trang"
                " này. Nội dung của đồng chí CHƯA được lưu; hãy tải lại trang để xem bản mới"
                " rồi sửa tiếp."
            )
            % {"who": who, "when": when}
        )


def _locked(cycle: ReportingCycle, organisation: Organisation) -> Contribution | None:
    return (
        Contribution.objects.select_for_update()
        .filter(cycle=cycle, organisation=organisation)
        .first()
    )


def _check(contribution: Contribution | None, version: int, cycle: ReportingCycle) -> None:
    if not cycle.is_open:
        raise ServiceError(_("Kỳ báo cáo đã đóng, không thể sửa hay gửi ý kiến đóng góp."))
    if contribution is None:
        if version != 0:
            raise ServiceError(_("Không tìm thấy ý kiến đóng góp; hãy tải lại trang."))
        return
    if contribution.status == ContributionStatus.SENT:
        raise ServiceError(_("Ý kiến đóng góp đã gửi, không thể sửa."))
    if contribution.version != version:
        raise ContributionConflict(contribution)


@transaction.atomic
def contribution_save(
    *,
    cycle: ReportingCycle,
    organisation: Organisation,
    to: Organisation,
    tasks: list[Task],
    texts: dict[int | None, str],
    version: int,
    actor: User,
) -> Contribution:
    """Save the contribution's texts (by task id, None for the general part) as a draft.
    ``version`` is the one the user opened (0 before the first save); a stale one raises
    ContributionConflict and saves nothing. Only the given tasks are kept (the
    contributor's own). Control characters are refused by the form, as in a report
    (``reports.forms.TextForm``), and stripped by every file writer."""
    contribution = _locked(cycle, organisation)
    _check(contribution, version, cycle)
    if contribution is None:
        contribution = Contribution.objects.create(
            cycle=cycle, organisation=organisation, addressed_to=to, updated_by=actor
        )
    else:
        Contribution.objects.filter(pk=contribution.pk).update(
            version=F("version") + 1, updated_by=actor, addressed_to=to,
            updated_at=timezone.now(),
        )  # fmt: skip
    allowed: list[int | None] = [None, *(task.pk for task in tasks)]
    existing = {part.task_id: part for part in contribution.parts.all()}
    for task_id in allowed:
        # Browsers send line breaks as CR LF; stored text breaks lines with LF alone.
        text = texts.get(task_id, "").replace("\r\n", "\n").strip()
        part = existing.get(task_id)
        if part is None:
            if text:
                ContributionPart.objects.create(
                    contribution=contribution, task_id=task_id, text=text
                )
        elif part.text != text:
            part.text = text
            part.save(update_fields=["text"])
    contribution.parts.exclude(task_id__in=[pk for pk in allowed if pk is not None]).exclude(
        task__isnull=True
    ).delete()
    contribution.refresh_from_db()
    return contribution


@transaction.atomic
def contribution_send(
    *, cycle: ReportingCycle, organisation: Organisation, version: int, actor: User
) -> Contribution:
    """Send the saved contribution to its addressee; it then can no longer change. One
    with no text at all is refused."""
    contribution = _locked(cycle, organisation)
    _check(contribution, version, cycle)
    if contribution is None or not any(part.text.strip() for part in contribution.parts.all()):
        raise ServiceError(_("Ý kiến đóng góp chưa có nội dung, chưa thể gửi."))
    now = timezone.now()
    Contribution.objects.filter(pk=contribution.pk).update(
        status=ContributionStatus.SENT, sent_at=now, updated_by=actor, updated_at=now,
        version=F("version") + 1,
    )  # fmt: skip
    contribution.refresh_from_db()
    return contribution
