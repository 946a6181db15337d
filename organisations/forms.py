"""The administrators' restructuring form: one form for the five kinds of change, whose
fields the kind selects, turned into the arguments of the matching service."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .change_plans import Decision, NewOrganisation
from .models import ChangeKind, MembersAction, Organisation, OrganisationKind

# Which fields each kind of change shows, after the common ones.
KIND_FIELDS = {
    ChangeKind.MERGE: [
        "organisations", "target", "new_code", "new_name", "new_short_name", "new_kind",
        "new_parent", "members",
    ],
    ChangeKind.SPLIT: ["organisation", "targets", "new_organisations", "heir", "members"],
    ChangeKind.RENAME: ["organisation", "name", "short_name"],
    ChangeKind.MOVE: ["organisation", "parent"],
    ChangeKind.CLOSE: ["organisation", "successor", "members"],
}  # fmt: skip
COMMON_FIELDS = ["effective_on", "decision_number", "decision_date", "decision_issuer", "note"]


def _split_codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text or "") if code]


class RestructureForm(forms.Form):
    organisations = forms.CharField(
        label=_("Các tổ chức được hợp nhất"),
        help_text=_("Mã các tổ chức, cách nhau bởi dấu phẩy, ví dụ: TV-HCL, TV-HCT."),
    )
    organisation = forms.CharField(label=_("Tổ chức"), help_text=_("Mã tổ chức."))
    target = forms.CharField(
        label=_("Hợp nhất vào tổ chức có sẵn"),
        required=False,
        help_text=_("Mã tổ chức nhận; để trống nếu lập tổ chức mới ở dưới."),
    )
    new_code = forms.CharField(label=_("Mã tổ chức mới"), required=False, max_length=32)
    new_name = forms.CharField(label=_("Tên tổ chức mới"), required=False, max_length=255)
    new_short_name = forms.CharField(label=_("Tên ngắn"), required=False, max_length=100)
    new_kind = forms.ChoiceField(
        label=_("Loại tổ chức mới"),
        choices=[("", "—"), *OrganisationKind.choices],
        required=False,
    )
    new_parent = forms.CharField(
        label=_("Trực thuộc"),
        required=False,
        help_text=_("Mã tổ chức cấp trên; để trống: cấp trên của tổ chức đầu tiên."),
    )
    targets = forms.CharField(
        label=_("Tổ chức có sẵn nhận một phần"),
        required=False,
        help_text=_("Mã, cách nhau bởi dấu phẩy."),
    )
    new_organisations = forms.CharField(
        label=_("Tổ chức mới được lập"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Mỗi dòng một tổ chức: mã; tên; tên ngắn. Loại và cấp trên như tổ chức bị chia tách."
        ),
    )
    heir = forms.CharField(
        label=_("Tổ chức kế thừa"), required=False, help_text=_("Mã của một tổ chức nhận.")
    )
    name = forms.CharField(label=_("Tên mới"), required=False, max_length=255)
    short_name = forms.CharField(
        label=_("Tên ngắn mới"),
        required=False,
        max_length=100,
        help_text=_("Để trống: giữ tên ngắn hiện tại."),
    )
    parent = forms.CharField(label=_("Chuyển vào trực thuộc"), required=False)
    successor = forms.CharField(
        label=_("Tổ chức kế thừa"),
        required=False,
        help_text=_("Để trống nếu không có; khi đó các phân công kết thúc."),
    )
    members = forms.ChoiceField(
        label=_("Người dùng của tổ chức kết thúc"),
        choices=MembersAction.choices,
        initial=MembersAction.MOVE,
    )
    effective_on = forms.DateField(
        label=_("Có hiệu lực từ ngày"), help_text=_("Ngày đầu tiên của tình trạng mới.")
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=100)
    decision_date = forms.DateField(label=_("Ngày quyết định"), required=False)
    decision_issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = ChangeKind(kind)
        wanted = [*KIND_FIELDS[self.kind], *COMMON_FIELDS]
        self.fields = {name: self.fields[name] for name in wanted}
        if self.kind == ChangeKind.SPLIT:
            self.fields["heir"].required = True
            self.fields["organisation"].label = _("Tổ chức bị chia tách")
        elif self.kind == ChangeKind.RENAME:
            self.fields["name"].required = True
        elif self.kind == ChangeKind.MOVE:
            self.fields["parent"].required = True
        elif self.kind == ChangeKind.CLOSE:
            self.fields["organisation"].label = _("Tổ chức kết thúc hoạt động")

    def _organisations(self, codes: list[str], field: str) -> list[Organisation]:
        found = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in found]
        if missing:
            self.add_error(
                field, _("Không có tổ chức mã: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        return [found[code] for code in codes if code in found]

    def _one(self, field: str) -> Organisation | None:
        code = (self.cleaned_data.get(field) or "").strip()
        if not code:
            return None
        found = self._organisations([code], field)
        return found[0] if found else None

    def clean(self):
        data = super().clean()
        kind = self.kind
        arguments: dict[str, object] = {}
        if kind == ChangeKind.MERGE:
            arguments["sources"] = self._organisations(
                _split_codes(data.get("organisations", "")), "organisations"
            )
            if data.get("target"):
                arguments["target"] = self._one("target")
            elif data.get("new_code") and data.get("new_name") and data.get("new_kind"):
                arguments["target"] = NewOrganisation(
                    code=data["new_code"].strip(),
                    name=data["new_name"],
                    short_name=data.get("new_short_name", ""),
                    kind=data["new_kind"],
                    parent=(data.get("new_parent") or "").strip() or None,
                )
            else:
                self.add_error(
                    "target",
                    _("Chọn tổ chức nhận có sẵn, hoặc ghi mã, tên và loại của tổ chức mới."),
                )
        elif kind == ChangeKind.SPLIT:
            arguments["source"] = self._one("organisation")
            targets: list[Organisation | NewOrganisation] = list(
                self._organisations(_split_codes(data.get("targets", "")), "targets")
            )
            source = arguments["source"]
            for line in (data.get("new_organisations") or "").splitlines():
                parts = [part.strip() for part in line.split(";")]
                if not parts[0]:
                    continue
                if len(parts) < 2 or not parts[1] or source is None:
                    self.add_error("new_organisations", _("Mỗi dòng cần có mã và tên."))
                    continue
                targets.append(
                    NewOrganisation(
                        code=parts[0],
                        name=parts[1],
                        short_name=parts[2] if len(parts) > 2 else "",
                        kind=source.kind,
                    )
                )
            arguments["targets"] = targets
            arguments["heir"] = (data.get("heir") or "").strip()
        elif kind == ChangeKind.RENAME:
            arguments["organisation"] = self._one("organisation")
            arguments["name"] = data.get("name", "")
            arguments["short_name"] = data.get("short_name") or None
        elif kind == ChangeKind.MOVE:
            arguments["organisation"] = self._one("organisation")
            arguments["parent"] = self._one("parent")
        else:
            arguments["organisation"] = self._one("organisation")
            arguments["successor"] = self._one("successor")
        if "members" in self.fields:
            arguments["members"] = data.get("members") or MembersAction.MOVE
        if data.get("effective_on") and data.get("decision_number"):
            arguments["effective_on"] = data["effective_on"]
            arguments["decision"] = Decision(
                number=data["decision_number"],
                date=data.get("decision_date"),
                issuer=data.get("decision_issuer", ""),
            )
            arguments["note"] = data.get("note", "")
        self.arguments = arguments
        return data
