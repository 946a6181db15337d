"""The Party's rules on document format, and who issues a document: as data.

Two texts govern the format of Party documents in the years this application covers:

- Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng "thể thức và kỹ
  thuật trình bày văn bản của Đảng" (mandatory elements: the title "ĐẢNG CỘNG SẢN VIỆT
  NAM", the issuing body, số và ký hiệu, place and date, tên loại and trích yếu, content,
  authority/title/name/signature, seal, Nơi nhận). Its Phụ lục 3 gives the type sizes and
  styles used below; read in the copy at
  https://thuvienphapluat.vn/hoi-dap-phap-luat/iframe/40E84-hd-mau-trinh-bay-the-thuc-van-ban-va-ban-sao-van-ban-cua-dang.html
  and https://vpdangdoan.vinhuni.edu.vn/thong-bao-van-ban/seo/huong-dan-ve-the-thuc-va-ky-thuat-trinh-bay-van-ban-cua-dang-86250
- Quy định số 399-QĐ/TW ngày 09/01/2026 của Ban Bí thư "về thể loại, thẩm quyền ban hành
  và thể thức văn bản của Đảng" (5 parts, 19 articles; in force from the day it was
  signed), https://nhansu.vn/van-ban-phap-luat/Quy-dinh-399-QD-TW-2026-the-loai-tham-quyen-ban-hanh-va-the-thuc-van-ban-cua-Dang-690017.html
  and https://lsvn.vn/thong-nhat-he-thong-van-ban-cua-dang-theo-quy-dinh-moi-cua-ban-bi-thu-a168642.html

Not found in the stored copies searched: the articles of 399-QĐ/TW on presentation, and a
2026 guidance of Văn phòng Trung ương under it. Its own header ("BAN CHẤP HÀNH TRUNG ƯƠNG /
* / Số 399-QĐ/TW / Hà Nội, ngày 09 tháng 01 năm 2026") shows the same elements as 36-HD's
models, so the 2026 rule set repeats 36-HD's values until a difference is found: a
document dated from 09/01/2026 cites 399-QĐ/TW, nothing else changes.

Who issues a document comes from ``Organisation.document`` (the `document:` block of the
organisations' data files, data/SCHEMA.md) and, where the data says nothing, from the
organisation's kind and name. The organisation is followed through its successors to
the one that existed on the document's date: a document dated after 1 July 2025 of a Trà
Vinh body carries the name of its Vĩnh Long successor. The wording a province may want to
adjust (header lines, ký hiệu, place, addressee, signer) is therefore data; a Word template
engine (docxtpl) would let it reword the rest, but it is not a dependency of the project.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organisations.models import Organisation, OrganisationChange, OrganisationKind

# Rule sets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextStyle:
    size: float  # points
    bold: bool = False
    italic: bool = False
    underline: bool = False

    @property
    def css(self) -> str:
        """The declarations the print stylesheet carries for this style (its classes are
        checked against these, so paper and Word agree)."""
        parts = [f"font-size: {self.size:g}pt"]
        parts.append(f"font-weight: {'bold' if self.bold else 'normal'}")
        parts.append(f"font-style: {'italic' if self.italic else 'normal'}")
        parts.append(f"text-decoration: {'underline' if self.underline else 'none'}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Rules:
    key: str
    citation: str  # the text the rules come from, as a document may cite it
    effective: dt.date
    # Phụ lục 3 of 36-HD/VPTW, rows 1-6: in capitals, 15 bold ("ĐẢNG CỘNG SẢN VIỆT NAM");
    # the superior body 14 upright; the issuing body 14 bold; "Số 127-QĐ/TW" 14 upright
    # (no colon after "Số"); place and date 14 italic; tên loại 15-16 bold; trích yếu
    # 14-15 bold; the text 14-15 upright.
    party_title: TextStyle = TextStyle(15, bold=True, underline=True)
    superior: TextStyle = TextStyle(14)
    issuer: TextStyle = TextStyle(14, bold=True)
    number: TextStyle = TextStyle(14)
    number_prefix: str = "Số"
    place_date: TextStyle = TextStyle(14, italic=True)
    doc_type: TextStyle = TextStyle(16, bold=True)
    subject: TextStyle = TextStyle(14, bold=True)
    body_size: float = 14
    # Signature block: authority (T/M, T/L, KT.) and title in capitals, bold; the name
    # bold below the room for the signature and the seal. The rows of Phụ lục 3 for the
    # signature and for "Nơi nhận" were beyond the part of the copy that could be read;
    # the values are the ones the application used for the unit report before (one
    # style for every document now), to be checked against the text.
    signer: TextStyle = TextStyle(14, bold=True)
    recipients_label: TextStyle = TextStyle(14, italic=True, underline=True)
    recipients: TextStyle = TextStyle(12)
    # Page numbers: "Văn bản có nhiều trang thì trang thứ hai phải đánh số trang bằng chữ
    # số Ả Rập cách mép trên trang giấy 10 mm và cách đều hai mép phải, trái của phần có
    # chữ" (Sổ tay công tác văn phòng cấp ủy, Đảng ủy Khối tỉnh Bình Thuận, "Yêu cầu kỹ
    # thuật trình bày văn bản"): in the top margin, centred, from page 2.
    page_number_in_header: bool = True
    page_number_distance_mm: float = 10
    page_number: TextStyle = TextStyle(14)
    # Margins (cm) as the application had them: the section of 36-HD on margins was not
    # in the readable part of the copies (the Bình Thuận handbook gives 25/25/35/15 mm
    # for the front of a page); to be checked against the text.
    margins_cm: tuple[float, float, float, float] = (2, 2, 3, 1.5)  # top, bottom, left, right
    # Days below 10 and the months January and February take a leading zero (36-HD/VPTW;
    # 399-QĐ/TW's own date line reads "ngày 09 tháng 01 năm 2026").
    leading_zero_months: int = 2


HD_36 = Rules(
    key="36-HD/VPTW",
    citation="Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng",
    effective=dt.date(2018, 4, 3),
)
QD_399 = replace(
    HD_36,
    key="399-QĐ/TW",
    citation="Quy định số 399-QĐ/TW ngày 09/01/2026 của Ban Bí thư",
    effective=dt.date(2026, 1, 9),
)
# Keyed by the day each took effect, oldest first.
RULES: dict[dt.date, Rules] = {rules.effective: rules for rules in (HD_36, QD_399)}


def rules_for(day: dt.date) -> Rules:
    """The rules a document of this date follows (36-HD for anything older: the earliest
    text this application knows)."""
    chosen = HD_36
    for effective, rules in sorted(RULES.items()):
        if effective <= day:
            chosen = rules
    return chosen


def place_date_line(place: str, day: dt.date, rules: Rules | None = None) -> str:
    rules = rules or rules_for(day)
    values = {
        "place": place,
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}" if day.month <= rules.leading_zero_months else str(day.month),
        "year": day.year,
    }
    if place:
        return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % values
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % values


# Organisations on a date -----------------------------------------------------------------


def on_date(organisation: Organisation, day: dt.date) -> Organisation:
    """The organisation that carried this one's work on ``day``: itself while it existed,
    else its successor (followed on) once it had ended."""
    seen = {organisation.pk}
    current = organisation
    while (
        current.valid_to is not None
        and day > current.valid_to
        and current.successor_id is not None
        and current.successor_id not in seen
    ):
        seen.add(current.successor_id)
        current = current.successor  # type: ignore[assignment]
    return current


def parent_on(organisation: Organisation, day: dt.date) -> Organisation | None:
    """The organisation's parent on ``day``. ``parent`` is today's: when the organisation
    was moved since (its parent merged away, say), the restructuring record of the first
    move after ``day`` names the parent it had then."""
    parent = organisation.parent
    if parent is None or parent.is_active_on(day):
        return parent
    changes = OrganisationChange.objects.filter(
        effective_on__gt=day, organisations=organisation
    ).order_by("effective_on", "pk")
    for change in changes:
        for moved in (change.details or {}).get("children_moved", []):
            if moved.get("organisation") == organisation.code and moved.get("from"):
                return Organisation.objects.filter(code=moved["from"]).first() or parent
    return parent


def children_on(committee: Organisation, day: dt.date, **filters) -> list[Organisation]:
    """The organisations under ``committee`` on ``day``, by code. Children that have
    moved since (to the committee's successor, when it merged) are found through the
    restructuring records."""
    heirs = [committee.pk]
    current = committee
    while current.successor_id is not None and current.successor_id not in heirs:
        heirs.append(current.successor_id)
        current = current.successor  # type: ignore[assignment]
    candidates = Organisation.objects.filter(parent__in=heirs, **filters).select_related("parent")
    found = []
    for child in candidates.order_by("code"):
        if not child.is_active_on(day):
            continue
        parent = parent_on(child, day)
        if parent is not None and parent.pk == committee.pk:
            found.append(child)
    return found


def _child_of_kind(parent: Organisation, kind: str, day: dt.date) -> Organisation | None:
    children = children_on(parent, day, kind=kind)
    return children[0] if children else None


def summary_issuer_of(top: Organisation, day: dt.date) -> Organisation | None:
    """The body of the top committee that issues the yearly summary on ``day`` (Ban Tổ
    chức: plan section III.3), marked `yearly_summary: true` in its `document:` data."""
    found = children_on(on_date(top, day), day, document__yearly_summary=True)
    return found[0] if found else None


# Deriving from names ---------------------------------------------------------------------

# "Tỉnh ủy Trà Vinh", "Huyện ủy Càng Long", "Thành ủy Trà Vinh": a committee named after
# the administrative unit it leads. Both spellings of "ủy" are in use.
_COMMITTEE_NAME = re.compile(r"^(tỉnh|huyện|thị|thành|quận)\s+(?:ủy|uỷ)\s+(\S.*)$", re.IGNORECASE)
_UNIT_OF = {"tỉnh": "tỉnh", "huyện": "huyện", "thị": "thị xã", "thành": "thành phố", "quận": "quận"}
_UNIT_WORDS = ("tỉnh ", "thành phố ", "huyện ", "thị xã ", "quận ")
# The ký hiệu of a committee's documents by the word its name starts with ("-BC/HU" of a
# huyện ủy, "-BC/TU" of a tỉnh ủy, thị ủy or thành ủy); a đảng ủy signs "ĐU". Data wins.
_SUFFIX_OF: dict[str, str] = {"tỉnh": "TU", "huyện": "HU", "thị": "TU", "thành": "TU", "quận": "QU"}
# Bodies that head a Party organisation of their own (đảng bộ, chi bộ): their superior in
# the header is the đảng bộ above them, not the committee.
_COMMITTEE_KINDS = {
    OrganisationKind.PROVINCIAL_COMMITTEE,
    OrganisationKind.DISTRICT_COMMITTEE,
    OrganisationKind.AFFILIATED_COMMITTEE,
    OrganisationKind.COMMUNE_COMMITTEE,
    OrganisationKind.GRASSROOTS,
    OrganisationKind.CELL,
}
# Below the district the place is a commune, which no name here tells.
_NO_PLACE_KINDS = {OrganisationKind.GRASSROOTS, OrganisationKind.CELL}
# A committee's report is signed on behalf of its collective leadership (T/M).
_COLLECTIVE_OF: dict[str, str] = {
    OrganisationKind.PROVINCIAL_COMMITTEE: "BAN THƯỜNG VỤ",
    OrganisationKind.DISTRICT_COMMITTEE: "BAN THƯỜNG VỤ",
    OrganisationKind.AFFILIATED_COMMITTEE: "BAN THƯỜNG VỤ",
    OrganisationKind.COMMUNE_COMMITTEE: "BAN THƯỜNG VỤ",
    OrganisationKind.GRASSROOTS: "ĐẢNG ỦY",
    OrganisationKind.CELL: "CHI BỘ",
}
# "Bí thư Huyện ủy" → "Bí thư": under "T/M BAN THƯỜNG VỤ" the title names no body.
_BODY_IN_TITLE = re.compile(
    r"\s+(?:(?:tỉnh|huyện|thị|thành|quận)\s+(?:ủy|uỷ)|đảng\s+(?:ủy|uỷ)|chi\s+bộ)\b.*$",
    re.IGNORECASE,
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def _committee_parts(name: str) -> tuple[str, str] | None:
    """("huyện", "Càng Long") for "Huyện ủy Càng Long"; None for other names."""
    match = _COMMITTEE_NAME.match(_nfc(name))
    if match is None:
        return None
    return match.group(1).lower(), match.group(2).strip()


def _party_body_of(name: str) -> str:
    """The đảng bộ a committee leads: "Tỉnh ủy Trà Vinh" → "Đảng bộ tỉnh Trà Vinh"."""
    parts = _committee_parts(name)
    if parts is None:
        return name
    unit, place = parts
    if place.lower().startswith(_UNIT_WORDS):  # "Thành ủy Thành phố Hồ Chí Minh"
        return _("Đảng bộ %(place)s") % {"place": place}
    return _("Đảng bộ %(unit)s %(place)s") % {"unit": _UNIT_OF[unit], "place": place}


def superior_line(organisation: Organisation, day: dt.date | None = None) -> str:
    """The first line of the header: the body the organisation belongs to, in capitals."""
    document = organisation.document or {}
    if "superior" in document:
        return str(document["superior"] or "").upper()
    parent = parent_on(organisation, day) if day else organisation.parent
    if parent is None:
        return ""
    parent_name = parent.name_on(day) if day else parent.name
    if organisation.kind in _COMMITTEE_KINDS:
        return _party_body_of(parent_name).upper()
    return parent_name.upper()


def place_of(organisation: Organisation, day: dt.date | None = None) -> str:
    """The place name of the date line: the data's, else what the organisation's names
    tell cleanly (a committee named after its unit, or a body of such a committee)."""
    document = organisation.document or {}
    if document.get("place"):
        return str(document["place"])
    names = organisation.names_on(day) if day else (organisation.name, organisation.short_name)
    for name in names:
        parts = _committee_parts(name)
        if parts is not None:
            return parts[1]
    parent = parent_on(organisation, day) if day else organisation.parent
    if parent is not None and organisation.kind not in _NO_PLACE_KINDS:
        parts = _committee_parts(parent.name_on(day) if day else parent.name)
        if parts is not None:
            return parts[1]
    return ""


def number_suffix(organisation: Organisation) -> str:
    """The part of the ký hiệu after the slash: "HU" of "Số 12-BC/HU"; "" when unknown."""
    document = organisation.document or {}
    if document.get("suffix"):
        return str(document["suffix"])
    parts = _committee_parts(organisation.name)
    if parts is not None:
        return _SUFFIX_OF[parts[0]]
    if organisation.kind in (
        OrganisationKind.AFFILIATED_COMMITTEE,
        OrganisationKind.COMMUNE_COMMITTEE,
        OrganisationKind.GRASSROOTS,
    ):
        return "ĐU"
    return ""


def plain_title(position: str) -> str:
    """A signer's title without the body it heads: "Bí thư Huyện ủy" → "Bí thư"."""
    return _BODY_IN_TITLE.sub("", _nfc(position))


# The issuing body ------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    authority: str  # "T/M BAN THƯỜNG VỤ", "KT. TRƯỞNG BAN", "" when the head signs
    title: str  # in capitals: "BÍ THƯ", "PHÓ TRƯỞNG BAN"
    name: str

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.authority, self.title) if line]


@dataclass(frozen=True)
class Issuer:
    organisation: Organisation  # as it was on the document's date
    superior: str  # in capitals; "" when none
    name_lines: list[str]  # in capitals
    suffix: str
    place: str
    collective: str  # "BAN THƯỜNG VỤ": who T/M and T/L speak for
    head_title: str  # "TRƯỞNG BAN": whom KT. signs in place of
    signer: Signer
    addressee: str = ""  # whom its reports go to, when the data says

    def number_line(self, number: str, kind: str = "BC", rules: Rules = HD_36) -> str:
        """ "Số 12-BC/BTCTU"; "Số …-BC/BTCTU" while the number is not given."""
        symbol = f"{kind}/{self.suffix}" if self.suffix else kind
        return f"{rules.number_prefix} {number or '…'}-{symbol}"

    def authority_line(self, authority: str) -> str:
        """The line above the title for a SignerAuthority value."""
        if authority == "tm" and self.collective:
            return f"T/M {self.collective}"
        if authority == "tl" and self.collective:
            return f"T/L {self.collective}"
        if authority == "kt" and self.head_title:
            return f"KT. {self.head_title}"
        return ""

    def with_authority(self, authority: str) -> Issuer:
        """The same issuer, its default signer signing with this SignerAuthority value."""
        line = self.authority_line(authority) if authority else ""
        return replace(self, signer=replace(self.signer, authority=line))


def issuer_on(organisation: Organisation, day: dt.date) -> Issuer:
    """Who issues a document of ``organisation`` dated ``day``, from its data (through
    its successors to the body that existed that day) and, lacking data, its names."""
    current = on_date(organisation, day)
    document = current.document or {}
    name, _short = current.names_on(day)
    lines = [str(line).upper() for line in document.get("issuer") or [name]]
    signer = document.get("signer") or {}
    collective = str(document.get("collective") or _COLLECTIVE_OF.get(current.kind, "")).upper()
    head_title = str(document.get("head_title") or "").upper()
    authority = str(signer.get("authority") or "")
    return Issuer(
        organisation=current,
        superior=superior_line(current, day),
        name_lines=lines,
        suffix=number_suffix(current),
        place=place_of(current, day),
        collective=collective,
        head_title=head_title,
        signer=Signer(
            authority="",
            title=str(signer.get("title") or "").upper(),
            name=str(signer.get("name") or ""),
        ),
        addressee=str(document.get("addressee") or ""),
    ).with_authority(authority)


def committee_signer(issuer: Issuer, *, position: str, name: str) -> Signer:
    """A committee's report is signed for its collective ("T/M BAN THƯỜNG VỤ") by the
    person whose title, without the body's name, stands below ("BÍ THƯ")."""
    authority = f"T/M {issuer.collective}" if issuer.collective else ""
    return Signer(authority=authority, title=plain_title(position).upper(), name=name)


def addressees(target: Organisation | None, day: dt.date) -> list[str]:
    """The first line of "Nơi nhận" of a report sent to ``target`` (the committee it is
    addressed to, as it was on ``day``): its Thường trực, through the body that follows
    the plan for it, as plan section III.1 asks ("báo cáo ... về Thường trực Tỉnh ủy (qua
    Ban Tổ chức Tỉnh ủy)"); the committee itself when it has no such bodies."""
    if target is None:
        return []
    committee = on_date(target, day)
    office = _child_of_kind(committee, OrganisationKind.STANDING_OFFICE, day)
    receiver = (office or committee).name_on(day)
    through = summary_issuer_of(committee, day)
    if through is not None:
        return [_("%(receiver)s (qua %(through)s),") % {
            "receiver": receiver, "through": through.name_on(day)
        }]  # fmt: skip
    return [f"{receiver},"]


def report_subject(plan, year: int) -> str:
    """The trích yếu of a report on a plan, naming the plan as its own title does:
    "kết quả thực hiện Kế hoạch số 112-KH/TU của Ban Thường vụ Tỉnh ủy Trà Vinh thực
    hiện Kết luận số 38-KL/TW, … năm 2024"."""
    values = {"number": plan.number, "year": year}
    issuer = plan.issuer.name if plan.issuer_id else ""
    title = " ".join((plan.title or "").split())
    if issuer and title:
        text = _("kết quả thực hiện Kế hoạch số %(number)s của %(issuer)s %(title)s năm %(year)s")
        return text % {**values, "issuer": issuer, "title": title}
    return _("kết quả thực hiện Kế hoạch số %(number)s năm %(year)s") % values


# Numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"^\s*(\d{1,8})\s*(?:-\s*([^\s/]+)\s*/\s*(\S+))?\s*$")


def clean_number(value: str, *, suffix: str, kind: str = "BC") -> str:
    """The digits of a document number typed as "12" or in full as "12-BC/BTCTU" (which
    must carry this body's ký hiệu); "" for nothing typed. Raises ValidationError."""
    value = _nfc(value)
    if not value:
        return ""
    match = _NUMBER.match(value)
    if match is None:
        raise ValidationError(
            _("Số văn bản chỉ gồm chữ số (ví dụ 12), hoặc ghi đầy đủ như “12-%(symbol)s”.")
            % {"symbol": f"{kind}/{suffix}" if suffix else kind},
            code="number",
        )
    digits, typed_kind, typed_suffix = match.groups()
    if typed_kind is not None and (
        typed_kind.upper() != kind.upper() or (typed_suffix or "").upper() != suffix.upper()
    ):
        raise ValidationError(
            _("Ký hiệu “%(typed)s” không đúng với cơ quan ban hành: phải là “-%(symbol)s”.")
            % {"typed": f"{typed_kind}/{typed_suffix}", "symbol": f"{kind}/{suffix}"},
            code="suffix",
        )
    return digits
