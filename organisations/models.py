from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    EXTERNAL = "external", _("Cơ quan Trung ương")
    PROVINCIAL_COMMITTEE = "provincial_committee", _("Tỉnh ủy")
    STANDING_COMMITTEE = "standing_committee", _("Ban Thường vụ")
    STANDING_OFFICE = "standing_office", _("Thường trực")
    ADVISORY_BODY = "advisory_body", _("Cơ quan tham mưu, giúp việc")
    FRONT = "front", _("Mặt trận Tổ quốc")
    MASS_ORGANISATION = "mass_organisation", _("Đoàn thể chính trị - xã hội")
    DISTRICT_COMMITTEE = "district_committee", _("Huyện ủy, thị ủy, thành ủy")
    AFFILIATED_COMMITTEE = "affiliated_committee", _("Đảng ủy trực thuộc")
    COMMUNE_COMMITTEE = "commune_committee", _("Đảng ủy xã, phường, đặc khu")
    GRASSROOTS = "grassroots", _("Tổ chức cơ sở đảng")
    CELL = "cell", _("Chi bộ")


# Party committees: the bodies reports are addressed to (a chi bộ reports to the committee
# above it and has no reporters of its own below).
COMMITTEE_KINDS = frozenset(
    {
        OrganisationKind.PROVINCIAL_COMMITTEE,
        OrganisationKind.DISTRICT_COMMITTEE,
        OrganisationKind.AFFILIATED_COMMITTEE,
        OrganisationKind.COMMUNE_COMMITTEE,
        OrganisationKind.GRASSROOTS,
    }
)
# Bodies that work for the committee above them: a reviewer of Ban Tổ chức or a leader of
# Thường trực acts for that committee, and oversees what it oversees.
COMMITTEE_BODY_KINDS = frozenset(
    {
        OrganisationKind.STANDING_COMMITTEE,
        OrganisationKind.STANDING_OFFICE,
        OrganisationKind.ADVISORY_BODY,
    }
)


def active_during_q(start, end, prefix: str = "") -> Q:
    """Organisations that existed on at least one day between start and end, as a
    condition. start and end are dates, or expressions such as F("cycle__period_end");
    ``prefix`` reaches the organisation through a relation ("organisation__")."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": end})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start})
    )


class OrganisationQuerySet(models.QuerySet):
    def active_on(self, day: date) -> "OrganisationQuerySet":
        return self.active_during(day, day)

    def active_during(self, start: date, end: date) -> "OrganisationQuerySet":
        """Organisations that existed on at least one day between start and end."""
        return self.filter(active_during_q(start, end))


class Organisation(models.Model):
    """A body of the Party or the political system. Never deleted: a merger closes it
    (valid_to) and points it at its successor, so old reports keep their author."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("hoạt động từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến ngày"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("tổ chức kế thừa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    # The first day of the current name; earlier names are OrganisationName rows. Pages
    # of recent years need no query to know the name, whatever the organisation's past.
    name_since = models.DateField(_("dùng tên hiện tại từ ngày"), null=True, blank=True)
    # How the organisation signs the documents it issues (the `document:` block of its data
    # file, data/SCHEMA.md): header lines, number suffix, place, signer. Empty: derived
    # from its kind and name (reports.documents.party).
    document = models.JSONField(_("thể thức văn bản"), default=dict, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổ chức")
        verbose_name_plural = _("tổ chức")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="organisation_valid_range",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu hoạt động."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="organisation_not_own_parent",
                violation_error_message=_("Một tổ chức không thể trực thuộc chính nó."),
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("pk")),
                name="organisation_not_own_successor",
                violation_error_message=_("Một tổ chức không thể kế thừa chính nó."),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_to__isnull=False),
                name="organisation_successor_needs_end",
                violation_error_message=_(
                    "Chỉ tổ chức đã kết thúc hoạt động mới có tổ chức kế thừa."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.code])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def names_on(self, day: date) -> tuple[str, str]:
        """(name, short name) the organisation bore on a day. Reads prefetched
        ``former_names`` when there are; a query only for a day before a rename."""
        if self.name_since is None or day >= self.name_since:
            return self.name, self.short_name
        former = sorted(self.former_names.all(), key=lambda n: n.valid_to)
        for entry in former:
            if entry.valid_to >= day:
                return entry.name, entry.short_name
        return (former[-1].name, former[-1].short_name) if former else (self.name, self.short_name)

    def name_on(self, day: date) -> str:
        return self.names_on(day)[0]

    def display_name_on(self, day: date) -> str:
        name, short_name = self.names_on(day)
        return short_name or name

    def is_active_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def served_committee_id(self) -> int:
        """The committee a role here acts for: a committee's own body (Ban Tổ chức,
        Thường trực, Ban Thường vụ) acts for its parent; anything else for itself."""
        if self.kind in COMMITTEE_BODY_KINDS and self.parent_id is not None:
            return self.parent_id
        return self.pk

    def current_successor(self) -> "Organisation":
        """Follow the chain of successors to the organisation that carries on today."""
        seen = {self.pk}
        current = self
        while current.successor_id is not None and current.successor_id not in seen:
            seen.add(current.successor_id)
            current = current.successor
        return current


class User(AbstractUser):
    """A person who signs in.

    The name is one field, ``last_name``, labelled "họ và tên" (locale/vi): the whole
    Vietnamese full name, family name first ("Nguyễn Văn An", "Thạch Sô Phal"). Split
    into Django's first/last name it would be read "An Nguyễn Văn", and Khmer names in
    the province do not split by any one rule. ``first_name`` stays empty and is not
    offered in the admin."""

    position = models.CharField(_("chức vụ"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Family name first; a given name typed into first_name by older code follows.
        return " ".join(part for part in (self.last_name.strip(), self.first_name.strip()) if part)

    def get_short_name(self) -> str:
        return self.get_full_name()


class Role(models.TextChoices):
    REPORTER = "reporter", _("Người báo cáo")
    REVIEWER = "reviewer", _("Người thẩm định")
    LEADER = "leader", _("Lãnh đạo")


class Membership(models.Model):
    """What a person does for an organisation. Roles are rows, so one person can report
    for a district and review for the province without any code knowing it."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("tổ chức"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["organisation__code", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation.display_name}"


class OrganisationName(models.Model):
    """A name an organisation bore before a rename, and the days it bore it."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("tổ chức"),
        on_delete=models.PROTECT,
        related_name="former_names",
    )
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=100, blank=True)
    valid_from = models.DateField(_("dùng từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("dùng đến ngày"))

    class Meta:
        verbose_name = _("tên cũ")
        verbose_name_plural = _("tên cũ")
        ordering = ["organisation", "valid_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "valid_to"], name="organisation_name_one_per_end"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="organisation_name_valid_range",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu dùng tên."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChangeKind(models.TextChoices):
    MERGE = "merge", _("Hợp nhất, sáp nhập")
    SPLIT = "split", _("Chia tách")
    RENAME = "rename", _("Đổi tên")
    MOVE = "move", _("Chuyển trực thuộc")
    CLOSE = "close", _("Giải thể, kết thúc hoạt động")


class MembersAction(models.TextChoices):
    MOVE = "move", _("Chuyển sang tổ chức nhận")
    END = "end", _("Kết thúc phân công")


class OrganisationChange(models.Model):
    """One restructuring step, with the decision that ordered it and everything it did
    (old names, old parents, memberships moved or ended) in ``details``."""

    kind = models.CharField(_("loại thay đổi"), max_length=16, choices=ChangeKind.choices)
    effective_on = models.DateField(_("có hiệu lực từ ngày"))
    decision_number = models.CharField(_("số quyết định"), max_length=100)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # Set for changes read from a data file, so that loading it again skips them.
    key = models.CharField(_("khóa"), max_length=100, unique=True, null=True, blank=True)
    applied_by = models.ForeignKey(
        User,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("thực hiện lúc"), default=timezone.now)
    organisations = models.ManyToManyField(
        Organisation,
        through="OrganisationChangeLink",
        related_name="changes",
        verbose_name=_("tổ chức"),
    )
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("thay đổi tổ chức")
        verbose_name_plural = _("thay đổi tổ chức")
        ordering = ["-effective_on", "-applied_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.effective_on:%d/%m/%Y} — {self.decision_number}"

    def organisations_in(self, *roles: str) -> list[Organisation]:
        """Reads prefetched ``links`` (with their organisations) when there are."""
        return [link.organisation for link in self.links.all() if link.role in roles]

    @property
    def sources(self) -> list[Organisation]:
        return self.organisations_in(LinkRole.SOURCE)

    @property
    def targets(self) -> list[Organisation]:
        return self.organisations_in(LinkRole.TARGET, LinkRole.HEIR)

    @property
    def subjects(self) -> list[Organisation]:
        return self.organisations_in(LinkRole.SUBJECT)


class LinkRole(models.TextChoices):
    SOURCE = "source", _("tổ chức kết thúc")  # closed by the change
    TARGET = "target", _("tổ chức nhận")
    HEIR = "heir", _("tổ chức kế thừa")  # the target the sources name as successor
    SUBJECT = "subject", _("tổ chức được đổi")  # renamed or moved, carries on
    CHILD = "child", _("tổ chức trực thuộc được chuyển")  # followed its closed parent's heir


class OrganisationChangeLink(models.Model):
    change = models.ForeignKey(OrganisationChange, on_delete=models.PROTECT, related_name="links")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="change_links"
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=LinkRole.choices)

    class Meta:
        verbose_name = _("tổ chức trong thay đổi")
        verbose_name_plural = _("tổ chức trong thay đổi")
        ordering = ["change", "role", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "organisation"], name="change_link_unique_organisation"
            ),
            models.UniqueConstraint(
                fields=["change"], condition=Q(role="heir"), name="change_link_one_heir"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.organisation_id} ({self.role})"
