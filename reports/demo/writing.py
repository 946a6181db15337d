"""What the demo's reporters write: an organisation's profile, its yearly figures that
satisfy the plan's rules, and the texts of its report, drawn from demo.yaml."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from organisations.models import Organisation, OrganisationKind
from reports.demo.contributions import LEADERSHIP
from reports.demo.data import demo_data
from reports.figures.content import ReportContent, SectionContent
from reports.models import LEADERSHIP_KINDS, Level
from tasks.models import Operator, Plan, ValueType

CHILDREN_REASON = (
    "Gồm cả kết quả của cơ quan cấp ủy và của các đơn vị có báo cáo chưa được tiếp nhận."
)

TERRITORIAL_KINDS = frozenset(
    {
        OrganisationKind.DISTRICT_COMMITTEE,
        OrganisationKind.GRASSROOTS,
        OrganisationKind.COMMUNE_COMMITTEE,
    }
)
# Organisations at the level of a commune or below it: one base organisation each.
GRASSROOTS_KINDS = frozenset(
    {OrganisationKind.GRASSROOTS, OrganisationKind.COMMUNE_COMMITTEE, OrganisationKind.CELL}
)


@dataclass
class Profile:
    """What stays the same about an organisation from one year to the next."""

    organisation: Organisation
    user: object
    scale: float
    diligence: float
    territorial: bool
    communes: int
    base_orgs: int
    members: int
    ethnic: float
    subject: str
    where: str
    signers: list[tuple[str, str]]


def _vn_number(value) -> str:
    if value is None:
        return "…"
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _positions(org: Organisation) -> tuple[str, str]:
    name = org.name
    for prefix in ("Huyện ủy", "Thị ủy", "Thành ủy", "Đảng ủy"):
        if name.startswith(prefix):
            return f"Bí thư {prefix}", f"Phó Bí thư Thường trực {prefix}"
    if name.startswith("Chi bộ"):
        return "Bí thư Chi bộ", "Phó Bí thư Chi bộ"
    if name.startswith("Ban "):
        return f"Trưởng {name}", f"Phó Trưởng {name}"
    if name.startswith("Ủy ban Kiểm tra"):
        return f"Chủ nhiệm {name}", f"Phó Chủ nhiệm {name}"
    if name.startswith("Văn phòng"):
        return f"Chánh {name}", f"Phó Chánh {name}"
    if name.startswith("Tỉnh Đoàn"):
        return "Bí thư Tỉnh Đoàn", "Phó Bí thư Tỉnh Đoàn"
    if name.startswith(("Ủy ban Mặt trận", "Hội", "Liên đoàn")):
        short = org.display_name
        return f"Chủ tịch {short}", f"Phó Chủ tịch {short}"
    return "Thủ trưởng cơ quan", "Phó Thủ trưởng cơ quan"


def _where(org: Organisation) -> str:
    for prefix, where in (
        ("Huyện ủy", "Đảng bộ huyện"),
        ("Thị ủy", "Đảng bộ thị xã"),
        ("Thành ủy", "Đảng bộ thành phố"),
        ("Đảng ủy", "Đảng bộ"),
        ("Chi bộ", "chi bộ"),
    ):
        if org.name.startswith(prefix):
            return where
    if org.kind == OrganisationKind.ADVISORY_BODY:
        return "tỉnh"
    return "hệ thống"


class ReportWriter:
    """Draws profiles, figures and texts from one random stream, shared with the history
    so that the whole demo follows from a single seed."""

    plan: Plan
    rng: random.Random
    first_year: int
    tasks: list
    rules: list

    # People and figures ---------------------------------------------------------------

    def _profile(self, org: Organisation, user, communes: int = 0) -> Profile:
        """``communes``: how many xã the organisation has in the data (a huyện ủy's count
        is at least that, so the sum of its communes' reports never exceeds its own)."""
        rng, data = self.rng, demo_data()
        # A huyện ủy answers for its communes, a đảng ủy xã for its own hamlets: both have
        # the territorial figures; a xã counts itself as its one commune and one base
        # organisation, so that a district's figures can be the sum of its communes'.
        territorial = org.kind in TERRITORIAL_KINDS
        grassroots = org.kind in GRASSROOTS_KINDS
        scale = data.kind_scale.get(org.kind, 1.0) * rng.uniform(0.85, 1.2)
        if org.name.startswith("Thành ủy"):
            scale *= 1.3
        committee = org.kind in (
            OrganisationKind.DISTRICT_COMMITTEE,
            OrganisationKind.AFFILIATED_COMMITTEE,
        )
        head, deputy = _positions(org)

        def person() -> str:
            if rng.random() < 0.25:
                return rng.choice(data.khmer)
            return f"{rng.choice(data.surnames)} {rng.choice(data.middle)} {rng.choice(data.given)}"

        return Profile(
            organisation=org,
            user=user,
            scale=scale,
            diligence=rng.uniform(0.2, 1.0),
            territorial=territorial,
            communes=(1 if grassroots else max(rng.randint(9, 20), communes)) if territorial else 0,
            base_orgs=1
            if grassroots
            else round(rng.randint(30, 60) * (scale if committee else 0.6)),
            members=round(rng.randint(3000, 6500) * scale),
            ethnic=rng.uniform(0.05, 0.45),
            subject=f"Ban Thường vụ {org.name}" if committee else org.name,
            where=_where(org),
            signers=[(person(), head), (person(), deputy)],
        )

    def _base(self, indicator, profile: Profile, year: int) -> Decimal:
        rng, code = self.rng, indicator.code
        growth = 1 + 0.03 * (year - self.first_year)
        if code in demo_data().territorial and not profile.territorial:
            return Decimal(0)
        if code == "T4_COMMUNES_TOTAL":
            return Decimal(profile.communes)
        if code == "T5_BASE_ORGS":
            return Decimal(max(profile.base_orgs + rng.randint(-1, 1), 1))
        if code == "T5_MEMBERS_ASSESSED":
            return Decimal(round(profile.members * growth * rng.uniform(0.93, 0.97)))
        if indicator.value_type == ValueType.PERCENT:
            return Decimal(str(round(rng.uniform(60, 100), 1)))
        low, high = demo_data().base.get(code, (0, 60))
        value = rng.uniform(low, high) * profile.scale * growth
        if indicator.value_type == ValueType.INTEGER:
            return Decimal(round(value))
        return Decimal(str(round(value, 2)))

    def _part(self, indicator, limit: Decimal, profile: Profile) -> Decimal:
        if indicator.code == "T3_ADMITTED_ETHNIC":
            low = max(profile.ethnic - 0.08, 0)
            share = (low, min(profile.ethnic + 0.08, 1))
        else:
            share = demo_data().shares.get(indicator.code, (0.0, 0.6))
        value = float(limit) * self.rng.uniform(*share)
        if indicator.value_type == ValueType.INTEGER:
            return Decimal(round(value))
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    def _figures(
        self, profile: Profile, tasks, year: int, floor: dict[str, Decimal] | None = None
    ) -> dict[str, Decimal]:
        """Figures for the tasks' indicators that satisfy every rule they are part of:
        wholes first, then each part as a share of its whole, checked with rule.holds.
        ``floor``: the sums of the accepted reports addressed to this committee; its own
        counts are at least those (a huyện ủy's year includes its communes')."""
        floor = floor or {}

        def at_least(indicator, value: Decimal) -> Decimal:
            if indicator.value_type == ValueType.PERCENT or indicator.code not in floor:
                return value
            return max(value, floor[indicator.code])

        indicators = [i for task in tasks for i in task.indicators.all()]
        reported = {i.code for i in indicators}
        rules = [r for r in self.rules if r.codes() <= reported]
        parts_of: dict[str, list] = {}
        for rule in rules:
            if rule.operator in (Operator.LTE, Operator.LT):
                for code in rule.parts:
                    parts_of.setdefault(code, []).append(rule)
        values: dict[str, Decimal] = {}
        for _attempt in range(30):
            values = {
                i.code: at_least(i, self._base(i, profile, year))
                for i in indicators
                if i.code not in parts_of
            }
            pending = [i for i in indicators if i.code in parts_of]
            for _round in range(len(pending) + 1):
                for indicator in list(pending):
                    wholes = [c for r in parts_of[indicator.code] for c in r.whole]
                    if all(c in values for c in wholes):
                        limit = min(
                            sum(values[c] for c in r.whole) for r in parts_of[indicator.code]
                        )
                        part = self._part(indicator, limit, profile)
                        values[indicator.code] = at_least(indicator, part)
                        pending.remove(indicator)
            for indicator in pending:  # parts of each other: no order works
                values[indicator.code] = at_least(indicator, self._base(indicator, profile, year))
            if all(rule.holds(values) is not False for rule in rules):
                return values
        return {**values, **{code: Decimal(0) for code in parts_of}}

    # Texts --------------------------------------------------------------------------

    def _words(self, profile: Profile, figures: dict, year: int) -> dict[str, str]:
        return {
            **{code: _vn_number(value) for code, value in figures.items()},
            "subject": profile.subject,
            "where": profile.where,
            "org": profile.organisation.display_name,
            "plan": self.plan.number,
            "year": str(year),
            "next_year": str(year + 1),
        }

    def _texts(self, task) -> dict:
        data = demo_data()
        return data.task_texts.get(task.number, data.generic)

    def _fill(self, template: str, words: dict[str, str]) -> str | None:
        try:
            return template.format(**words)
        except (KeyError, IndexError, ValueError):
            return None

    def _section(self, task, profile: Profile, words: dict[str, str]) -> SectionContent:
        rng, texts, generic = self.rng, self._texts(task), demo_data().generic
        results = None
        if "results" in texts:
            results = self._fill(rng.choice(texts["results"]), words)
        if results is None:  # another plan: say it with the indicators' names
            figures = "; ".join(
                f"{i.name[:1].lower()}{i.name[1:]}: {words.get(i.code, '…')} {i.unit}".strip()
                for i in list(task.indicators.all())[:3]
            )
            results = f"{profile.subject} đã triển khai thực hiện nhiệm vụ “{task.title}”" + (
                f"; {figures}." if figures else "."
            )
        limitations = self._fill(
            rng.choice(texts.get("limitations", generic["limitations"])), words
        )
        next_steps = self._fill(rng.choice(texts.get("next_steps", generic["next_steps"])), words)
        score = rng.random() * 0.6 + profile.diligence * 0.5
        level = (
            Level.GOOD if score > 0.72 else
            Level.FAIR if score > 0.45 else
            Level.AVERAGE if score > 0.22 else Level.POOR
        )  # fmt: skip
        return SectionContent(
            results=results,
            limitations=limitations or generic["limitations"][0],
            causes=" ".join(rng.sample(demo_data().causes, 2)),
            next_steps=next_steps or generic["next_steps"][0].format(**words),
            level=level,
        )

    def _content(
        self, profile: Profile, numbers: list[int], year: int, floor: dict | None = None
    ) -> ReportContent:
        """A complete report; optional figures are now and then left empty (never one
        with a floor: the sum below it must show)."""
        rng, data = self.rng, demo_data()
        floor = floor or {}
        tasks = [t for t in self.tasks if t.number in numbers]
        figures = self._figures(profile, tasks, year, floor)
        words = self._words(profile, figures, year)
        wholes = self._wholes()
        for task in tasks:
            for indicator in task.indicators.all():
                if (
                    not indicator.required
                    and rng.random() < 0.1
                    and not floor.get(indicator.code)
                    and indicator.code not in wholes  # a part given needs its whole
                ):
                    figures[indicator.code] = None
        name, position = profile.signers[0] if rng.random() < 0.75 else profile.signers[1]
        return ReportContent(
            leadership=self._leadership(profile, year),
            overall_assessment=rng.choice(data.overall).format(**words),
            proposals=rng.choice(data.proposals),
            signer_name=name,
            signer_position=position,
            sections={t.number: self._section(t, profile, words) for t in tasks},
            figures=figures,
            # A committee's own figures include more than its accepted grassroots' sum
            # (the floor): every figure that differs from the sum says why.
            reasons=dict.fromkeys(figures, CHILDREN_REASON) if floor else {},
        )

    def _draft(self, full: ReportContent, share: float) -> ReportContent:
        """The same report half-written: the first sections and their figures only."""
        numbers = sorted(full.sections)
        keep = set(numbers[: max(1, round(len(numbers) * share))])
        codes = {i.code for t in self.tasks if t.number in keep for i in t.indicators.all()}
        return ReportContent(
            leadership=full.leadership,
            overall_assessment="",
            proposals="",
            signer_name=full.signer_name,
            signer_position=full.signer_position,
            sections={n: s for n, s in full.sections.items() if n in keep},
            figures={c: v for c, v in full.figures.items() if c in codes},
            reasons={c: r for c, r in full.reasons.items() if c in codes},
        )

    def _returned_versions(self, profile, full: ReportContent, year: int):
        """(first submission, reviewer's section comments, corrected submission): the
        first leaves out what the reviewer then asks for."""
        rng = self.rng
        candidates = [
            n for n in sorted(full.sections)
            if profile.territorial or not self._texts(self._task(n)).get("territorial")
        ]  # fmt: skip
        commented = sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, 2))))
        first = copy.deepcopy(full)
        fixed = copy.deepcopy(full)
        comments: dict[int, str] = {}
        words = self._words(profile, {k: v for k, v in full.figures.items() if v is not None}, year)
        for number in commented:
            task = self._task(number)
            texts = self._texts(task)
            comments[number] = texts["comment"]
            for indicator in task.indicators.all():
                if not indicator.required and indicator.code not in self._wholes():
                    first.figures[indicator.code] = None
            supplement = self._fill(texts["supplement"], words)
            if supplement is None:
                supplement = demo_data().generic["supplement"]
            fixed.sections[number].results += " " + supplement
        first.sections[commented[0]].limitations = "Chưa có."
        return first, comments, fixed

    def _wholes(self) -> set[str]:
        """The codes some rule needs as its whole: never left blank while a part is given
        (reports.figures.content.missing_wholes)."""
        return {code for rule in self.rules for code in rule.whole}

    def _leadership(self, profile: Profile, year: int) -> str:
        """A committee's leadership section (LEADERSHIP_KINDS), from its own random stream
        so that adding it left the rest of the demo as it was."""
        if profile.organisation.kind not in LEADERSHIP_KINDS:
            return ""
        rng = random.Random(f"leadership-{profile.organisation.code}-{year}")  # noqa: S311
        return rng.choice(LEADERSHIP).format(
            org=profile.organisation.display_name, plan=self.plan.number, year=year
        )

    def _task(self, number: int):
        return next(t for t in self.tasks if t.number == number)
