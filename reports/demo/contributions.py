"""The demo's contributions to Ban Tổ chức's yearly report, and the leadership section of
the committees' reports: short, plausible Vietnamese, drawn from the history's random
stream so the demo stays the same every time."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from contextlib import AbstractContextManager

from organisations.models import User
from reports.models import ReportingCycle
from reports.services.contributions import contribution_save, contribution_send
from tasks.selectors import contributors_on

LEADERSHIP = [
    "Ban Thường vụ {org} tổ chức hội nghị quán triệt Kế hoạch số {plan} đến cán bộ chủ chốt,"
    " ban hành kế hoạch thực hiện của đảng bộ và chỉ đạo phổ biến đến 100% chi bộ trực thuộc."
    " Năm {year}, cấp ủy lồng ghép nội dung kế hoạch vào chương trình kiểm tra, giám sát và"
    " sinh hoạt chuyên đề.",
    "Ngay đầu năm {year}, {org} ban hành kế hoạch triển khai, phân công cấp ủy viên phụ trách"
    " từng nhiệm vụ; các chi, đảng bộ cơ sở xây dựng kế hoạch cụ thể, tổ chức quán triệt đến"
    " đảng viên trong sinh hoạt chi bộ định kỳ.",
    "{org} chỉ đạo các tổ chức cơ sở đảng tiếp tục quán triệt Kế hoạch số {plan}; ban hành văn"
    " bản hướng dẫn, đôn đốc thực hiện; định kỳ sơ kết, đánh giá kết quả trong hội nghị ban"
    " chấp hành đảng bộ.",
]

# What a body writes, by task number; None is its general part.
CONTRIBUTION_TEXTS = {
    1: "Đã hướng dẫn nội dung tuyên truyền, định hướng dư luận năm {year}; phối hợp Trường"
    " Chính trị đổi mới phương pháp giảng dạy lý luận chính trị, bồi dưỡng đảng viên mới.",
    2: "Hướng dẫn chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm"
    " {year}; theo dõi việc đưa chuyên đề vào sinh hoạt chi bộ.",
    5: "Tham mưu Ban Thường vụ rà soát quy chế làm việc của cấp ủy; theo dõi chất lượng ban"
    " hành nghị quyết, kế hoạch công tác năm của các cấp ủy trực thuộc.",
    6: "Phối hợp tổ chức đối thoại, tiếp xúc giữa người đứng đầu cấp ủy với nhân dân; tham gia"
    " góp ý xây dựng Đảng, xây dựng chính quyền theo Quy định số 784-QĐ/TU.",
    7: "Năm {year}, cơ quan kiểm tra các cấp kiểm tra, giám sát chuyên đề theo kế hoạch; việc"
    " thi hành kỷ luật đảng bảo đảm đúng nguyên tắc, kịp thời ngay từ cơ sở.",
    None: "Đề nghị Ban Tổ chức tổng hợp, đánh giá thêm việc phối hợp giữa các cơ quan tham mưu"
    " trong theo dõi thực hiện Kế hoạch năm {year}.",
}


def demo_contributions(
    cycle: ReportingCycle,
    *,
    rng: random.Random,
    writers: dict[int, User],
    zone: dt.tzinfo,
    dated: Callable[[dt.datetime], AbstractContextManager[None]],
) -> int:
    """The bodies a cycle asks contribute: most send before the due date, one sends after
    it and one never sends (a draft at most). Returns how many were sent. Bodies without
    a demo account are skipped."""

    def at(day: dt.date) -> dt.datetime:  # office hours, never on a Sunday
        if day.weekday() == 6:
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(rng.randint(7, 16), rng.randrange(60)), zone)

    asked = [
        a for a in contributors_on(cycle.plan, cycle.period_end) if a.organisation.pk in writers
    ]
    if not asked:
        return 0
    order = list(asked)
    rng.shuffle(order)
    late, unsent = order[0], order[1] if len(order) > 1 else None
    sent = 0
    for body in asked:
        user = writers[body.organisation.pk]
        texts = {
            task.pk: CONTRIBUTION_TEXTS.get(task.number, CONTRIBUTION_TEXTS[None]).format(
                year=cycle.year
            )
            for task in body.tasks
        }
        texts[None] = CONTRIBUTION_TEXTS[None].format(year=cycle.year) if rng.random() < 0.5 else ""
        if body is late:
            day = cycle.due_on + dt.timedelta(days=rng.randint(2, 12))
        else:
            day = cycle.due_on - dt.timedelta(days=rng.randint(1, 20))
        with dated(at(day - dt.timedelta(days=2))):
            saved = contribution_save(
                cycle=cycle, organisation=body.organisation, to=body.to,
                tasks=list(body.tasks), texts=texts, version=0, actor=user,
            )  # fmt: skip
        if body is unsent:
            continue
        with dated(at(day)):
            contribution_send(
                cycle=cycle, organisation=body.organisation, version=saved.version, actor=user
            )
        sent += 1
    return sent
