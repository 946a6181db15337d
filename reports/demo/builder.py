"""Demo data for the embedded default: accounts for every role, made through the same
services the pages use. Never run in production (the command refuses)."""

import copy
import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from organisations.models import Membership, Organisation, OrganisationKind, Role, User
from organisations.services import membership_grant, user_ensure
from reports.figures.content import ReportContent, SectionContent
from reports.models import (
    AnnualReport,
    Attachment,
    AttachmentKind,
    CycleStatus,
    Level,
    ReportingCycle,
    ReportStatus,
    SubPlan,
    end_of_day,
)
from tasks.models import Operator, Plan, ValueType
from tasks.selectors import organisations_in_scope


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str


REVIEWER_ORG = "TV-BTC"
LEADER_ORG = "TV-TT"


def _username(organisation: Organisation) -> str:
    return "bc-" + organisation.code.split("-", 1)[-1].lower()


@transaction.atomic
def demo_accounts_create(*, password: str) -> list[DemoAccount]:
    """A reporter for every organisation that reports on a plan, a reviewer at Ban Tổ
    chức, a leader at Thường trực and an administrator."""
    accounts: list[DemoAccount] = []
    reporters: dict[int, Organisation] = {}
    candidates = list(Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL))
    for plan in Plan.objects.all():
        for org_id, tasks in organisations_in_scope(plan, candidates).items():
            if tasks:
                reporters[org_id] = next(o for o in candidates if o.pk == org_id)
    for org in sorted(reporters.values(), key=lambda o: (o.kind, o.code)):
        user, _ = user_ensure(
            username=_username(org),
            password=password,
            full_name=f"Chuyên viên {org.display_name}",
            position="Chuyên viên",
            email=f"{_username(org)}@example.invalid",
        )
        membership_grant(user=user, organisation=org, role=Role.REPORTER)
        accounts.append(DemoAccount(user.username, Role.REPORTER.label, org.name))

    for username, name, position, code, role in (
        ("bantochuc", "Nguyễn Văn Thẩm", "Chuyên viên Ban Tổ chức", REVIEWER_ORG, Role.REVIEWER),
        ("thuongtruc", "Trần Thị Lãnh", "Phó Bí thư Thường trực", LEADER_ORG, Role.LEADER),
    ):
        org = Organisation.objects.get(code=code)
        user, _ = user_ensure(
            username=username,
            password=password,
            full_name=name,
            position=position,
            email=f"{username}@example.invalid",
        )
        membership_grant(user=user, organisation=org, role=role)
        accounts.append(DemoAccount(username, role.label, org.name))

    admin, created = user_ensure(
        username="admin", password=password, full_name="Quản trị hệ thống", position="Quản trị"
    )
    if created or not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    accounts.append(DemoAccount("admin", "Quản trị hệ thống", "—"))
    return accounts


# Demo history --------------------------------------------------------------------------
#
# Four yearly cycles per plan, played step by step through the real services at
# believable moments (time-machine), so every event, snapshot, file and timestamp is
# what the pages would have produced. Deterministic: random.Random(112).

REVIEWER_USERNAME = "bantochuc"

# Yearly figures of a district-level committee; other kinds are scaled (_KIND_SCALE).
_BASE = {
    "T1_POLITICAL_THEORY_TRAINED": (220, 560),
    "T1_PARTY_WORK_TRAINED": (120, 380),
    "T1_NEW_MEMBERS_TRAINED": (80, 200),
    "T1_TRAINING_CLASSES": (8, 22),
    "T2_BRIEFING_SESSIONS": (3, 12),
    "T2_THEMATIC_SESSIONS": (1, 4),
    "T2_DEGRADATION_DETECTED": (0, 9),
    "T3_ADMITTED": (90, 230),
    "T3_REMOVED": (2, 16),
    "T3_NEW_ORGS_NONSTATE": (0, 3),
    "T3_HAMLETS_WITHOUT_CELL": (0, 2),
    "T4_COMMITTEE_MEMBERS_TRAINED": (90, 320),
    "T4_PLANNING_ADDED": (20, 85),
    "T4_HAMLET_HEADS_IN_CELL_COMMITTEE": (30, 120),
    "T6_DIALOGUES": (10, 45),
    "T6_COMMITTEE_ATTENDANCE": (180, 900),
    "T6_SOCIAL_CRITIQUES": (2, 14),
    "T6_COMPLAINTS_RECEIVED": (4, 40),
    "T7_INSPECTIONS": (4, 16),
    "T7_SUPERVISIONS": (5, 20),
    "T7_ORGS_TO_DISCIPLINE": (0, 2),
    "T7_MEMBERS_TO_DISCIPLINE": (3, 26),
}
# A part of a rule "parts ≤ whole" is drawn as this share of its whole.
_SHARES = {
    "T1_NEW_MEMBER_CLASSES": (0.12, 0.35),
    "T2_DEGRADATION_HANDLED": (0.6, 1.0),
    "T3_ADMITTED_WOMEN": (0.3, 0.52),
    "T3_ADMITTED_RELIGIOUS": (0.02, 0.12),
    "T3_ADMITTED_BUSINESS_OWNERS": (0.0, 0.03),
    "T4_SECRETARY_HDND_CHAIR": (0.5, 0.82),
    "T4_SECRETARY_UBND_CHAIR": (0.0, 0.12),
    "T5_ORGS_EXCELLENT": (0.12, 0.22),
    "T5_ORGS_GOOD": (0.58, 0.72),
    "T5_ORGS_FAILED": (0.0, 0.04),
    "T5_MEMBERS_FAILED": (0.002, 0.012),
    "T6_COMPLAINTS_RESOLVED": (0.75, 1.0),
    "T7_ORGS_DISCIPLINED": (0.5, 1.0),
    "T7_MEMBERS_DISCIPLINED": (0.6, 1.0),
}
# Figures only a territorial committee has (communes, hamlets).
_TERRITORIAL = {"T4_COMMUNES_TOTAL", "T4_HAMLET_HEADS_IN_CELL_COMMITTEE", "T3_HAMLETS_WITHOUT_CELL"}
_KIND_SCALE = {
    OrganisationKind.DISTRICT_COMMITTEE: 1.0,
    OrganisationKind.AFFILIATED_COMMITTEE: 0.55,
    OrganisationKind.ADVISORY_BODY: 1.8,
    OrganisationKind.FRONT: 1.2,
    OrganisationKind.MASS_ORGANISATION: 0.8,
}

# Section texts of Kế hoạch 112-KH/TU by task number; {CODE} is a figure of the report.
# A plan whose figures do not fit falls back to _GENERIC.
_TASK_TEXTS: dict[int, dict[str, list[str] | str]] = {
    1: {
        "results": [
            "{subject} đã chỉ đạo mở {T1_TRAINING_CLASSES} lớp đào tạo, bồi dưỡng lý luận chính"
            " trị, nghiệp vụ công tác đảng và bồi dưỡng đảng viên mới;"
            " {T1_POLITICAL_THEORY_TRAINED} lượt cán bộ, đảng viên được đào tạo, bồi dưỡng"
            " lý luận chính trị,"
            " {T1_PARTY_WORK_TRAINED} lượt được bồi dưỡng nghiệp vụ công tác đảng và"
            " {T1_NEW_MEMBERS_TRAINED} đảng viên mới được bồi dưỡng theo quy định.",
            "Công tác giáo dục chính trị, tư tưởng được quan tâm thực hiện thường xuyên trong"
            " {where}, gắn với sinh hoạt chi bộ định kỳ và định hướng dư luận xã hội. Năm {year}"
            " đã tổ chức {T1_TRAINING_CLASSES} lớp đào tạo, bồi dưỡng với"
            " {T1_POLITICAL_THEORY_TRAINED} lượt cán bộ, đảng viên học tập lý luận chính trị;"
            " {T1_NEW_MEMBERS_TRAINED} đảng viên mới được bồi dưỡng.",
            "Nội dung, phương pháp giảng dạy tiếp tục được đổi mới theo hướng gắn lý luận với"
            " thực tiễn địa phương. Trong năm, {subject} mở {T1_TRAINING_CLASSES} lớp, bồi dưỡng"
            " nghiệp vụ công tác đảng cho {T1_PARTY_WORK_TRAINED} lượt cán bộ, đảng viên; học"
            " viên cơ bản đạt yêu cầu, nhiều đồng chí đạt loại khá, giỏi.",
        ],
        "limitations": [
            "Việc tự học tập, nghiên cứu lý luận chính trị của một bộ phận đảng viên chưa"
            " thường xuyên; chất lượng một số lớp bồi dưỡng chưa cao.",
            "Phương pháp giảng dạy ở một số lớp còn nặng về truyền đạt một chiều, ít liên hệ"
            " thực tiễn cơ sở.",
            "Việc nắm bắt, định hướng dư luận xã hội ở một số chi bộ ấp, khóm còn chậm.",
        ],
        "next_steps": [
            "Tiếp tục đổi mới nội dung, phương pháp giảng dạy; tăng cường báo cáo viên là cấp"
            " ủy viên trực tiếp tham gia giảng dạy tại các lớp bồi dưỡng.",
            "Xây dựng kế hoạch đào tạo, bồi dưỡng lý luận chính trị năm {next_year}, ưu tiên"
            " cán bộ trong quy hoạch và đảng viên mới.",
            "Nâng cao chất lượng sinh hoạt tư tưởng trong chi bộ; kịp thời định hướng dư luận"
            " xã hội trước các vấn đề mới phát sinh.",
        ],
        "comment": "Đề nghị bổ sung số lớp bồi dưỡng đảng viên mới và đánh giá chất lượng"
        " học tập của học viên.",
        "supplement": "Bổ sung: trong tổng số lớp đã mở có {T1_NEW_MEMBER_CLASSES} lớp bồi"
        " dưỡng đảng viên mới; học viên đều được cấp giấy chứng nhận, phần lớn đạt loại khá.",
    },
    2: {
        "results": [
            "{subject} đã tổ chức {T2_BRIEFING_SESSIONS} buổi quán triệt, triển khai các nghị"
            " quyết, quy định về xây dựng, chỉnh đốn Đảng và trách nhiệm nêu gương;"
            " {T2_THEMATIC_SESSIONS} đợt sinh hoạt chuyên đề về đạo đức gắn với học tập và làm"
            " theo tư tưởng, đạo đức, phong cách Hồ Chí Minh được tổ chức nghiêm túc.",
            "Việc thực hiện Nghị quyết Trung ương 4 (khóa XII) được duy trì nền nếp; qua rà"
            " soát đã phát hiện {T2_DEGRADATION_DETECTED} trường hợp có biểu hiện suy thoái,"
            " đã xem xét, xử lý {T2_DEGRADATION_HANDLED} trường hợp.",
            "Trong năm {year}, {where} tổ chức {T2_THEMATIC_SESSIONS} đợt sinh hoạt chuyên đề"
            " xây dựng Đảng về đạo đức; cán bộ, đảng viên, nhất là người đứng đầu, nêu cao"
            " trách nhiệm nêu gương, đăng ký và thực hiện việc làm theo gương Bác.",
        ],
        "limitations": [
            "Một số chi bộ sinh hoạt chuyên đề còn hình thức, nội dung chưa gắn với nhiệm vụ"
            " chính trị của đơn vị.",
            "Việc phát hiện biểu hiện suy thoái tư tưởng chính trị, đạo đức, lối sống ở một số"
            " nơi còn chậm, chủ yếu qua đơn thư phản ánh.",
            "Tinh thần tự phê bình và phê bình ở một bộ phận đảng viên chưa cao, còn nể nang,"
            " ngại va chạm.",
        ],
        "next_steps": [
            "Tiếp tục thực hiện Kết luận số 21-KL/TW về xây dựng, chỉnh đốn Đảng; chọn chuyên"
            " đề sinh hoạt sát với thực tế từng loại hình chi bộ.",
            "Tăng cường giám sát việc thực hiện quy định về trách nhiệm nêu gương; xử lý"
            " nghiêm, kịp thời những trường hợp suy thoái.",
            "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với"
            " việc làm cụ thể của từng đảng viên.",
        ],
        "comment": "Đề nghị nêu rõ số buổi quán triệt nghị quyết, quy định về trách nhiệm nêu"
        " gương và kết quả xử lý cán bộ, đảng viên suy thoái.",
        "supplement": "Bổ sung: đã tổ chức {T2_BRIEFING_SESSIONS} buổi quán triệt, triển khai"
        " nghị quyết, quy định về xây dựng, chỉnh đốn Đảng và trách nhiệm nêu gương;"
        " {T2_DEGRADATION_HANDLED}/{T2_DEGRADATION_DETECTED} trường hợp suy thoái được phát"
        " hiện đã được xem xét, xử lý.",
    },
    3: {
        "results": [
            "Công tác phát triển đảng viên được quan tâm; trong năm {year} {where} kết nạp"
            " {T3_ADMITTED} đảng viên, trong đó {T3_ADMITTED_WOMEN} đảng viên nữ; đã xóa tên,"
            " cho ra khỏi Đảng {T3_REMOVED} trường hợp không còn đủ tư cách đảng viên.",
            "{subject} tiếp tục củng cố, kiện toàn tổ chức cơ sở đảng gắn với sắp xếp bộ máy;"
            " kết nạp {T3_ADMITTED} đảng viên mới ({T3_ADMITTED_WOMEN} nữ,"
            " {T3_ADMITTED_ETHNIC} người dân tộc thiểu số), quản lý chặt chẽ đội ngũ đảng viên.",
            "Chất lượng kết nạp đảng viên được nâng lên, chú trọng tạo nguồn ở ấp, khóm có ít"
            " đảng viên; kết quả kết nạp {T3_ADMITTED} đảng viên, trong đó"
            " {T3_ADMITTED_RELIGIOUS} đảng viên trong tôn giáo.",
        ],
        "limitations": [
            "Nguồn kết nạp đảng viên ở vùng đồng bào dân tộc Khmer, trong tôn giáo và khu vực"
            " kinh tế ngoài nhà nước còn hạn chế.",
            "Một số chi bộ chưa quan tâm bồi dưỡng quần chúng ưu tú, việc kết nạp còn dồn vào"
            " cuối năm.",
            "Việc xây dựng tổ chức đảng trong doanh nghiệp tư nhân còn chậm.",
        ],
        "next_steps": [
            "Đẩy mạnh tạo nguồn phát triển đảng viên, nhất là đoàn viên, hội viên ưu tú ở ấp,"
            " khóm có ít đảng viên.",
            "Rà soát, sàng lọc đảng viên; kiên quyết đưa những người không còn đủ tư cách ra"
            " khỏi Đảng.",
            "Phối hợp vận động thành lập tổ chức đảng trong các doanh nghiệp ngoài khu vực nhà"
            " nước có đủ điều kiện.",
        ],
        "comment": "Đề nghị bổ sung số liệu kết nạp đảng viên là người dân tộc thiểu số và"
        " đảng viên là chủ doanh nghiệp tư nhân.",
        "supplement": "Bổ sung: trong số đảng viên mới kết nạp có {T3_ADMITTED_ETHNIC} đảng"
        " viên là người dân tộc thiểu số (chủ yếu là đồng bào Khmer), {T3_ADMITTED_RELIGIOUS}"
        " đảng viên trong tôn giáo và {T3_ADMITTED_BUSINESS_OWNERS} đảng viên là chủ doanh"
        " nghiệp tư nhân.",
    },
    4: {
        "results": [
            "{subject} đã bồi dưỡng kỹ năng lãnh đạo, quản lý, nghiệp vụ công tác đảng cho"
            " {T4_COMMITTEE_MEMBERS_TRAINED} lượt cấp ủy viên, bí thư cấp ủy cơ sở và cán bộ"
            " trong quy hoạch; bổ sung quy hoạch cấp ủy cơ sở {T4_PLANNING_ADDED} đồng chí.",
            "Công tác cán bộ được thực hiện đúng quy trình; {T4_PLANNING_ADDED} nhân sự được"
            " bổ sung quy hoạch cấp ủy cơ sở, {T4_COMMITTEE_MEMBERS_TRAINED} lượt cán bộ được"
            " bồi dưỡng nghiệp vụ.",
            "Chất lượng đội ngũ cấp ủy viên, bí thư chi bộ từng bước được nâng lên; năm {year}"
            " có {T4_COMMITTEE_MEMBERS_TRAINED} lượt cán bộ được tập huấn, bồi dưỡng.",
        ],
        "limitations": [
            "Một số bí thư chi bộ ấp, khóm tuổi cao, năng lực tham mưu còn hạn chế; việc tạo"
            " nguồn cán bộ trẻ còn khó khăn.",
            "Việc bố trí bí thư cấp ủy đồng thời là chủ tịch ủy ban nhân dân cấp xã chưa thực"
            " hiện được nhiều.",
            "Chế độ, chính sách đối với cán bộ ấp, khóm chưa tương xứng nên khó thu hút người"
            " có năng lực.",
        ],
        "next_steps": [
            "Tiếp tục rà soát, bổ sung quy hoạch cấp ủy cơ sở nhiệm kỳ tới, chú trọng cán bộ"
            " trẻ, cán bộ nữ, cán bộ người dân tộc thiểu số.",
            "Mở các lớp bồi dưỡng kỹ năng lãnh đạo, quản lý cho bí thư, phó bí thư chi bộ.",
            "Thực hiện chủ trương bí thư cấp ủy đồng thời là chủ tịch hội đồng nhân dân ở"
            " những nơi đủ điều kiện.",
        ],
        "comment": "Đề nghị bổ sung số trưởng ấp, khóm tham gia cấp ủy chi bộ và làm rõ số xã"
        " có bí thư đồng thời là chủ tịch HĐND.",
        "supplement": "Bổ sung: {T4_HAMLET_HEADS_IN_CELL_COMMITTEE} trưởng ấp, khóm tham gia cấp"
        " ủy chi bộ; {T4_SECRETARY_HDND_CHAIR}/{T4_COMMUNES_TOTAL} xã, phường, thị trấn có bí"
        " thư đảng ủy đồng thời là chủ tịch HĐND.",
        "territorial": "yes",
    },
    5: {
        "results": [
            "Kết quả đánh giá, xếp loại chất lượng năm {year}: trong {T5_BASE_ORGS} tổ chức cơ"
            " sở đảng có {T5_ORGS_EXCELLENT} tổ chức hoàn thành xuất sắc, {T5_ORGS_GOOD} tổ chức"
            " hoàn thành tốt nhiệm vụ; {T5_MEMBERS_ASSESSED} đảng viên được đánh giá, xếp loại.",
            "{subject} chỉ đạo nâng cao chất lượng ban hành nghị quyết, kế hoạch công tác hằng"
            " năm của cấp ủy; đánh giá, xếp loại {T5_BASE_ORGS} tổ chức cơ sở đảng, trong đó"
            " {T5_ORGS_EXCELLENT} tổ chức hoàn thành xuất sắc nhiệm vụ.",
            "Việc đánh giá, xếp loại chất lượng được thực hiện thực chất hơn; {T5_MEMBERS_ASSESSED}"
            " đảng viên được đánh giá, chỉ {T5_MEMBERS_FAILED} đảng viên không hoàn thành nhiệm"
            " vụ.",
        ],
        "limitations": [
            "Việc đánh giá, xếp loại ở một số nơi còn nể nang, chưa gắn với kết quả thực hiện"
            " nhiệm vụ cụ thể.",
            "Quy chế làm việc của một số cấp ủy cơ sở chậm được sửa đổi, bổ sung.",
            "Chất lượng nghị quyết của một số chi bộ còn chung chung, thiếu giải pháp cụ thể.",
        ],
        "next_steps": [
            "Thực hiện nghiêm quy định đánh giá, xếp loại chất lượng; gắn đánh giá với kết quả"
            " thực hiện nhiệm vụ chính trị.",
            "Hướng dẫn cấp ủy cơ sở rà soát, sửa đổi quy chế làm việc nhiệm kỳ.",
            "Phân công cấp ủy viên giúp đỡ các tổ chức cơ sở đảng yếu kém khắc phục hạn chế.",
        ],
        "comment": "Đề nghị làm rõ nguyên nhân tổ chức cơ sở đảng, đảng viên không hoàn thành"
        " nhiệm vụ và biện pháp khắc phục.",
        "supplement": "Bổ sung: {T5_ORGS_FAILED} tổ chức cơ sở đảng và {T5_MEMBERS_FAILED} đảng"
        " viên không hoàn thành nhiệm vụ, chủ yếu do cấp ủy chưa sâu sát, đảng viên chưa"
        " chấp hành nghiêm chế độ sinh hoạt; đã phân công cấp ủy viên theo dõi, giúp đỡ.",
    },
    6: {
        "results": [
            "Người đứng đầu cấp ủy, chính quyền đã tổ chức {T6_DIALOGUES} cuộc đối thoại, tiếp"
            " xúc với đảng viên, nhân dân; tiếp nhận {T6_COMPLAINTS_RECEIVED} đơn, thư và giải"
            " quyết {T6_COMPLAINTS_RESOLVED} đơn, thư theo thẩm quyền.",
            "{subject} coi trọng công tác dân vận, nắm chắc tình hình tư tưởng nhân dân ở địa"
            " bàn trọng điểm; trong năm có {T6_DIALOGUES} cuộc đối thoại với nhân dân,"
            " {T6_COMPLAINTS_RESOLVED}/{T6_COMPLAINTS_RECEIVED} đơn, thư được giải quyết.",
            "Việc thực hiện Quy định số 784-QĐ/TU đi vào nền nếp; công tác tiếp dân, đối thoại"
            " được duy trì với {T6_DIALOGUES} cuộc; các đơn, thư được xem xét, trả lời kịp thời.",
        ],
        "limitations": [
            "Một số nơi tổ chức đối thoại còn hình thức, chưa giải quyết dứt điểm kiến nghị của"
            " nhân dân.",
            "Vai trò phản biện xã hội của Mặt trận Tổ quốc và các đoàn thể ở cơ sở chưa phát huy"
            " đầy đủ.",
            "Việc giải quyết một số đơn, thư còn kéo dài, vượt thời hạn quy định.",
        ],
        "next_steps": [
            "Duy trì nền nếp đối thoại định kỳ của người đứng đầu cấp ủy, chính quyền với nhân"
            " dân; theo dõi việc thực hiện các kết luận sau đối thoại.",
            "Nâng cao chất lượng giám sát, phản biện xã hội của Mặt trận Tổ quốc và các đoàn"
            " thể chính trị - xã hội.",
            "Giải quyết kịp thời, dứt điểm đơn, thư khiếu nại, tố cáo ngay từ cơ sở.",
        ],
        "comment": "Đề nghị bổ sung số lượt cấp ủy viên dự sinh hoạt chi bộ theo Quy định số"
        " 784-QĐ/TU và kết quả phản biện xã hội.",
        "supplement": "Bổ sung: {T6_COMMITTEE_ATTENDANCE} lượt cấp ủy viên dự sinh hoạt chi bộ"
        " theo Quy định số 784-QĐ/TU; tổ chức {T6_SOCIAL_CRITIQUES} cuộc phản biện xã hội.",
    },
    7: {
        "results": [
            "{subject} đã tiến hành {T7_INSPECTIONS} cuộc kiểm tra và {T7_SUPERVISIONS} cuộc"
            " giám sát chuyên đề về thực hiện nguyên tắc tập trung dân chủ, chế độ sinh hoạt"
            " đảng; thi hành kỷ luật {T7_MEMBERS_DISCIPLINED} đảng viên vi phạm.",
            "Công tác kiểm tra, giám sát được tăng cường; năm {year} thực hiện {T7_INSPECTIONS}"
            " cuộc kiểm tra chuyên đề, {T7_SUPERVISIONS} cuộc giám sát chuyên đề; kỷ luật"
            " {T7_ORGS_DISCIPLINED} tổ chức đảng và {T7_MEMBERS_DISCIPLINED} đảng viên.",
            "Kỷ luật đảng được thực hiện nghiêm minh, kịp thời ngay từ cơ sở; qua"
            " {T7_INSPECTIONS} cuộc kiểm tra đã kịp thời chấn chỉnh những thiếu sót trong sinh"
            " hoạt chi bộ.",
        ],
        "limitations": [
            "Chất lượng kiểm tra, giám sát của một số cấp ủy cơ sở chưa cao, chưa chủ động phát"
            " hiện vi phạm.",
            "Việc thực hiện kết luận sau kiểm tra, giám sát ở một số nơi còn chậm.",
            "Một số vụ việc xử lý kỷ luật còn kéo dài.",
        ],
        "next_steps": [
            "Xây dựng chương trình kiểm tra, giám sát năm {next_year}, tập trung vào nơi có"
            " dấu hiệu vi phạm, lĩnh vực nhạy cảm.",
            "Tăng cường giám sát thường xuyên; theo dõi việc khắc phục sau kiểm tra, giám sát.",
            "Nâng cao năng lực đội ngũ cán bộ làm công tác kiểm tra ở cơ sở.",
        ],
        "comment": "Đề nghị bổ sung số tổ chức đảng, đảng viên vi phạm phải xem xét, xử lý kỷ"
        " luật để đối chiếu với số đã thi hành kỷ luật.",
        "supplement": "Bổ sung: có {T7_ORGS_TO_DISCIPLINE} tổ chức đảng và"
        " {T7_MEMBERS_TO_DISCIPLINE} đảng viên vi phạm phải xem xét, xử lý; đã thi hành kỷ"
        " luật {T7_ORGS_DISCIPLINED} tổ chức đảng và {T7_MEMBERS_DISCIPLINED} đảng viên.",
    },
}
_GENERIC = {
    "limitations": [
        "Việc triển khai ở một số cơ sở còn chậm, chưa đồng đều.",
        "Công tác theo dõi, đôn đốc thực hiện chưa thường xuyên.",
        "Một số nội dung còn thực hiện hình thức, hiệu quả chưa cao.",
    ],
    "next_steps": [
        "Tiếp tục quán triệt, cụ thể hóa nhiệm vụ thành chương trình công tác năm {next_year}.",
        "Tăng cường kiểm tra, đôn đốc; kịp thời biểu dương nơi làm tốt, chấn chỉnh nơi làm"
        " chưa tốt.",
        "Phân công cấp ủy viên theo dõi, phụ trách từng nội dung.",
    ],
    "comment": "Đề nghị làm rõ kết quả thực hiện nhiệm vụ bằng số liệu cụ thể.",
    "supplement": "Bổ sung: đã rà soát, đối chiếu và hoàn chỉnh số liệu theo hướng dẫn.",
}
_CAUSES = [
    "Một số cấp ủy chưa quan tâm đúng mức, còn xem nhẹ công tác xây dựng Đảng so với nhiệm vụ"
    " phát triển kinh tế - xã hội.",
    "Đội ngũ cán bộ làm công tác đảng ở cơ sở thường xuyên biến động, kiêm nhiệm nhiều việc,"
    " kinh nghiệm còn hạn chế.",
    "Địa bàn rộng, đông đồng bào dân tộc Khmer và tín đồ tôn giáo; một bộ phận người dân đi"
    " làm ăn xa nên khó khăn cho việc tạo nguồn, quản lý đảng viên.",
    "Kinh phí và điều kiện bảo đảm cho hoạt động của chi bộ ấp, khóm còn hạn hẹp.",
    "Việc sơ kết, rút kinh nghiệm chưa kịp thời; phối hợp giữa các ngành có lúc chưa chặt chẽ.",
]
_OVERALL = [
    "{subject} đã quán triệt, triển khai Kế hoạch số {plan} đến các chi, đảng bộ cơ sở; các"
    " cấp ủy ban hành chương trình, kế hoạch cụ thể để thực hiện. Năm {year}, các nhiệm vụ,"
    " giải pháp được thực hiện cơ bản đạt yêu cầu, góp phần nâng cao năng lực lãnh đạo, sức"
    " chiến đấu của tổ chức cơ sở đảng và chất lượng đội ngũ đảng viên.",
    "Nhìn chung, việc thực hiện Kế hoạch số {plan} năm {year} được {subject} quan tâm lãnh"
    " đạo, chỉ đạo sát sao; nhiều chỉ tiêu đạt và vượt so với năm trước. Tuy nhiên, chất lượng"
    " sinh hoạt chi bộ ở một số nơi chưa đồng đều, việc tạo nguồn phát triển đảng viên ở vùng"
    " đồng bào dân tộc còn khó khăn.",
    "Qua một năm triển khai, nhận thức của cấp ủy, tổ chức đảng và đảng viên về vị trí, vai"
    " trò của tổ chức cơ sở đảng được nâng lên; công tác kiểm tra, giám sát được tăng cường."
    " {subject} tự đánh giá cơ bản hoàn thành nhiệm vụ đề ra và thẳng thắn nhận diện hạn chế để"
    " khắc phục trong năm {next_year}.",
]
_PROPOSALS = [
    "Đề nghị Ban Tổ chức Tỉnh ủy tiếp tục mở các lớp tập huấn nghiệp vụ công tác đảng cho bí"
    " thư, phó bí thư chi bộ ấp, khóm; hướng dẫn cụ thể tiêu chí đánh giá chất lượng sinh hoạt"
    " chi bộ.",
    "Đề nghị Tỉnh ủy quan tâm bố trí kinh phí hỗ trợ hoạt động của chi bộ ấp, khóm và chế độ"
    " phụ cấp cho cấp ủy viên cơ sở.",
    "Đề nghị Thường trực Tỉnh ủy chỉ đạo thống nhất mẫu biểu, số liệu báo cáo giữa các ngành để"
    " thuận tiện cho việc tổng hợp, theo dõi hằng năm.",
    "Đề nghị sớm có hướng dẫn kết nạp đảng viên là chủ doanh nghiệp tư nhân và xây dựng tổ"
    " chức đảng trong doanh nghiệp ngoài khu vực nhà nước.",
]
_RETURN_COMMENTS = [
    "Báo cáo còn thiếu một số nội dung theo hướng dẫn của Ban Tổ chức Tỉnh ủy; đề nghị đơn vị"
    " bổ sung, hoàn chỉnh và gửi lại.",
    "Đề nghị đơn vị rà soát, đối chiếu số liệu với báo cáo tổng kết công tác xây dựng Đảng năm"
    " {year} và gửi lại báo cáo.",
    "Phần đánh giá hạn chế, nguyên nhân còn chung chung; đề nghị phân tích cụ thể hơn và bổ"
    " sung số liệu còn thiếu.",
]
_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Dương", "Trương", "Lâm"]
_MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hoàng", "Ngọc", "Quốc", "Thị Kim"]
_GIVEN = ["Hùng", "Phong", "Tâm", "Hải", "Dũng", "Thảo", "Lan", "Sang", "Khải", "Nghĩa", "Bé"]
_KHMER = ["Thạch Sô Phal", "Kim Sa Rinh", "Sơn Thị Sa Rây", "Thạch Thị Sa Phia", "Kiên Som Nang"]


def _vn_number(value) -> str:
    if value is None:
        return "…"
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _ascii(text: str) -> str:
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.encode("ascii", "replace").decode()


def demo_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF showing the lines (without diacritics: base font)."""
    body = " ".join(
        "({}) '".format(_ascii(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
        for line in lines
    )
    stream = f"BT /F1 11 Tf 14 TL 56 800 Td {body} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _checked_pdf(name: str, lines: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports.services.uploads import PDF, check_upload

    upload = SimpleUploadedFile(name, demo_pdf(lines), content_type="application/pdf")
    return check_upload(upload, (PDF,))


@dataclass
class _Profile:
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


def _positions(org: Organisation) -> tuple[str, str]:
    name = org.name
    for prefix in ("Huyện ủy", "Thị ủy", "Thành ủy", "Đảng ủy"):
        if name.startswith(prefix):
            return f"Bí thư {prefix}", f"Phó Bí thư Thường trực {prefix}"
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
    ):
        if org.name.startswith(prefix):
            return where
    if org.kind == OrganisationKind.ADVISORY_BODY:
        return "tỉnh"
    return "hệ thống"


def _subplan_number(org: Organisation, n: int) -> str:
    if org.name.startswith("Huyện ủy"):
        return f"{n:02d}-KH/HU"
    if org.name.startswith(("Thị ủy", "Thành ủy")):
        return f"{n:02d}-KH/TU"
    if org.name.startswith("Đảng ủy"):
        return f"{n:02d}-KH/ĐU"
    return f"{n:02d}-KH"


class _History:
    """The history of one plan, built in chronological order."""

    def __init__(self, plan, *, today, rng, reviewer, reporters, travel):
        from zoneinfo import ZoneInfo

        from django.conf import settings

        self.plan = plan
        self.rng = rng
        self.reviewer = reviewer
        self.travel = travel
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.today = today
        # Everything happens before today: never in the future of the person looking.
        self.ceiling = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(17, 30), self.zone)
        self.first_year = today.year - 3
        self.tasks = list(plan.tasks.order_by("number").prefetch_related("indicators"))
        self.rules = list(plan.rules.all())
        candidates = list(
            Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL).order_by("code")
        )
        scope = organisations_in_scope(plan, candidates)
        self.scope = {o.pk: scope[o.pk] for o in candidates if scope[o.pk] and o.pk in reporters}
        self.profiles = {
            o.pk: self._profile(o, reporters[o.pk]) for o in candidates if o.pk in self.scope
        }

    # People and figures ---------------------------------------------------------------

    def _profile(self, org: Organisation, user) -> _Profile:
        rng = self.rng
        territorial = org.kind == OrganisationKind.DISTRICT_COMMITTEE
        scale = _KIND_SCALE.get(org.kind, 1.0) * rng.uniform(0.85, 1.2)
        if org.name.startswith("Thành ủy"):
            scale *= 1.3
        committee = org.kind in (
            OrganisationKind.DISTRICT_COMMITTEE,
            OrganisationKind.AFFILIATED_COMMITTEE,
        )
        head, deputy = _positions(org)

        def person() -> str:
            if rng.random() < 0.25:
                return rng.choice(_KHMER)
            return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"

        return _Profile(
            organisation=org,
            user=user,
            scale=scale,
            diligence=rng.uniform(0.2, 1.0),
            territorial=territorial,
            communes=rng.randint(9, 20) if territorial else 0,
            base_orgs=round(rng.randint(30, 60) * (scale if committee else 0.6)),
            members=round(rng.randint(3000, 6500) * scale),
            ethnic=rng.uniform(0.05, 0.45),
            subject=f"Ban Thường vụ {org.name}" if committee else org.name,
            where=_where(org),
            signers=[(person(), head), (person(), deputy)],
        )

    def _base(self, indicator, profile: _Profile, year: int) -> Decimal:
        rng, code = self.rng, indicator.code
        growth = 1 + 0.03 * (year - self.first_year)
        if code in _TERRITORIAL and not profile.territorial:
            return Decimal(0)
        if code == "T4_COMMUNES_TOTAL":
            return Decimal(profile.communes)
        if code == "T5_BASE_ORGS":
            return Decimal(max(profile.base_orgs + rng.randint(-1, 1), 1))
        if code == "T5_MEMBERS_ASSESSED":
            return Decimal(round(profile.members * growth * rng.uniform(0.93, 0.97)))
        if indicator.value_type == ValueType.PERCENT:
            return Decimal(str(round(rng.uniform(60, 100), 1)))
        low, high = _BASE.get(code, (0, 60))
        value = rng.uniform(low, high) * profile.scale * growth
        if indicator.value_type == ValueType.INTEGER:
            return Decimal(round(value))
        return Decimal(str(round(value, 2)))

    def _part(self, indicator, limit: Decimal, profile: _Profile) -> Decimal:
        if indicator.code == "T3_ADMITTED_ETHNIC":
            low = max(profile.ethnic - 0.08, 0)
            share = (low, min(profile.ethnic + 0.08, 1))
        else:
            share = _SHARES.get(indicator.code, (0.0, 0.6))
        value = float(limit) * self.rng.uniform(*share)
        if indicator.value_type == ValueType.INTEGER:
            return Decimal(round(value))
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    def _figures(self, profile: _Profile, tasks, year: int) -> dict[str, Decimal]:
        """Figures for the tasks' indicators that satisfy every rule they are part of:
        wholes first, then each part as a share of its whole, checked with rule.holds."""
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
                i.code: self._base(i, profile, year) for i in indicators if i.code not in parts_of
            }
            pending = [i for i in indicators if i.code in parts_of]
            for _round in range(len(pending) + 1):
                for indicator in list(pending):
                    wholes = [c for r in parts_of[indicator.code] for c in r.whole]
                    if all(c in values for c in wholes):
                        limit = min(
                            sum(values[c] for c in r.whole) for r in parts_of[indicator.code]
                        )
                        values[indicator.code] = self._part(indicator, limit, profile)
                        pending.remove(indicator)
            for indicator in pending:  # parts of each other: no order works
                values[indicator.code] = self._base(indicator, profile, year)
            if all(rule.holds(values) is not False for rule in rules):
                return values
        return {**values, **{code: Decimal(0) for code in parts_of}}

    # Texts --------------------------------------------------------------------------

    def _words(self, profile: _Profile, figures: dict, year: int) -> dict[str, str]:
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
        return _TASK_TEXTS.get(task.number, _GENERIC)

    def _fill(self, template: str, words: dict[str, str]) -> str | None:
        try:
            return template.format(**words)
        except (KeyError, IndexError, ValueError):
            return None

    def _section(self, task, profile: _Profile, words: dict[str, str]) -> SectionContent:
        rng, texts = self.rng, self._texts(task)
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
            rng.choice(texts.get("limitations", _GENERIC["limitations"])), words
        )
        next_steps = self._fill(rng.choice(texts.get("next_steps", _GENERIC["next_steps"])), words)
        score = rng.random() * 0.6 + profile.diligence * 0.5
        level = (
            Level.GOOD if score > 0.72 else
            Level.FAIR if score > 0.45 else
            Level.AVERAGE if score > 0.22 else Level.POOR
        )  # fmt: skip
        return SectionContent(
            results=results,
            limitations=limitations or _GENERIC["limitations"][0],
            causes=" ".join(rng.sample(_CAUSES, 2)),
            next_steps=next_steps or _GENERIC["next_steps"][0].format(**words),
            level=level,
        )

    def _content(self, profile: _Profile, numbers: list[int], year: int) -> ReportContent:
        """A complete report; optional figures are now and then left empty."""
        rng = self.rng
        tasks = [t for t in self.tasks if t.number in numbers]
        figures = self._figures(profile, tasks, year)
        words = self._words(profile, figures, year)
        for task in tasks:
            for indicator in task.indicators.all():
                if not indicator.required and rng.random() < 0.1:
                    figures[indicator.code] = None
        name, position = profile.signers[0] if rng.random() < 0.75 else profile.signers[1]
        return ReportContent(
            overall_assessment=rng.choice(_OVERALL).format(**words),
            proposals=rng.choice(_PROPOSALS),
            signer_name=name,
            signer_position=position,
            sections={t.number: self._section(t, profile, words) for t in tasks},
            figures=figures,
        )

    def _draft(self, full: ReportContent, share: float) -> ReportContent:
        """The same report half-written: the first sections and their figures only."""
        numbers = sorted(full.sections)
        keep = set(numbers[: max(1, round(len(numbers) * share))])
        codes = {i.code for t in self.tasks if t.number in keep for i in t.indicators.all()}
        return ReportContent(
            overall_assessment="",
            proposals="",
            signer_name=full.signer_name,
            signer_position=full.signer_position,
            sections={n: s for n, s in full.sections.items() if n in keep},
            figures={c: v for c, v in full.figures.items() if c in codes},
        )

    def _returned_versions(self, profile, full: ReportContent, year: int):
        """(first submission, reviewer's section comments, corrected submission): the
        first leaves out what the reviewer then asks for."""
        rng = self.rng
        candidates = [
            n for n in sorted(full.sections)
            if profile.territorial or self._texts(self._task(n)).get("territorial") is None
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
                if not indicator.required:
                    first.figures[indicator.code] = None
            supplement = self._fill(texts["supplement"], words)
            if supplement is None:
                supplement = _GENERIC["supplement"]
            fixed.sections[number].results += " " + supplement
        first.sections[commented[0]].limitations = "Chưa có."
        return first, comments, fixed

    def _task(self, number: int):
        return next(t for t in self.tasks if t.number == number)

    # Time ---------------------------------------------------------------------------

    def _at(self, day: dt.date, *, back: bool = True) -> dt.datetime:
        """A moment in office hours that day (a Sunday moves to Saturday, or Monday)."""
        if day.weekday() == 6:
            day += dt.timedelta(days=-1 if back else 1)
        clock = dt.time(self.rng.randint(7, 16), self.rng.randrange(60))
        return dt.datetime.combine(day, clock, self.zone)

    def _days(self, low: dt.date, high: dt.date, count: int) -> list[dt.date]:
        span = max((high - low).days, 0)
        if span + 1 >= count:
            offsets = sorted(self.rng.sample(range(span + 1), count))
        else:
            offsets = sorted(self.rng.randint(0, span) for _ in range(count))
        return [low + dt.timedelta(days=o) for o in offsets]

    def _ordered(self, steps: list[tuple[str, dt.datetime]], cap: dt.datetime):
        """Steps strictly in time order and all before the cap."""
        out: list[tuple[str, dt.datetime]] = []
        for kind, moment in steps:
            if out and moment <= out[-1][1]:
                moment = out[-1][1] + dt.timedelta(minutes=self.rng.randint(7, 50))
            out.append((kind, moment))
        last = len(out) - 1
        return [
            (kind, min(moment, cap - dt.timedelta(minutes=5 * (last - i))))
            for i, (kind, moment) in enumerate(out)
        ]

    def _with_scan(self, steps, probability: float):
        """A signed scan attached a few minutes before most submissions."""
        out = []
        for kind, moment in steps:
            if kind in ("submit", "resubmit") and self.rng.random() < probability:
                before = moment - dt.timedelta(minutes=self.rng.randint(4, 40))
                out.append(("attach", before))
            out.append((kind, moment))
        return out

    # Stories ------------------------------------------------------------------------

    def _past_stories(self, orgs: list[Organisation]) -> dict[int, tuple[str, bool]]:
        """Mostly accepted; some after a return; some late; 1–2 missing; one left
        submitted. The least diligent are the ones missing or late."""
        rng = self.rng
        ranked = sorted(orgs, key=lambda o: self.profiles[o.pk].diligence + rng.uniform(-0.3, 0.3))
        n_missing = min(rng.randint(1, 2), max(len(ranked) - 3, 0))
        rest = ranked[n_missing:]
        late = {o.pk for o in rest[: rng.randint(2, 4)]}
        pool = rest[:]
        rng.shuffle(pool)
        n_returned = rng.randint(2, 4)
        stories = {o.pk: ("missing", False) for o in ranked[:n_missing]}
        for i, org in enumerate(pool):
            story = "submitted" if i == 0 else "returned" if i <= n_returned else "accepted"
            stories[org.pk] = (story, org.pk in late)
        return stories

    def _current_stories(self, orgs: list[Organisation], active: bool) -> dict[int, str]:
        """A few submitted, one returned, one accepted, several drafts, the rest nothing."""
        rng = self.rng
        if not active:
            return {o.pk: "missing" for o in orgs}
        ranked = sorted(
            orgs, key=lambda o: -(self.profiles[o.pk].diligence + rng.uniform(-0.3, 0.3))
        )
        n_submitted, n_drafts = rng.randint(3, 4), rng.randint(5, 7)
        top = ranked[: n_submitted + 2]
        rng.shuffle(top)
        names = ["accepted", "returned"] + ["submitted"] * n_submitted + ["draft"] * n_drafts
        stories = {o.pk: "missing" for o in orgs}
        for org, story in zip(top + ranked[n_submitted + 2 :], names, strict=False):
            stories[org.pk] = story
        return stories

    def _past_steps(self, cycle, story: str, late: bool, cap: dt.datetime):
        rng, opens, due = self.rng, cycle.opens_on, cycle.due_on
        if late:
            start, save = self._days(opens + dt.timedelta(days=5), due, 2)
            submit = self._at(due + dt.timedelta(days=rng.randint(1, 24)), back=False)
        else:
            start, save, submit_day = self._days(opens, due, 3)
            submit = self._at(submit_day)
        steps = [("start", self._at(start)), ("save", self._at(save)), ("submit", submit)]
        after = submit.date()
        if story == "accepted":
            steps.append(("accept", self._at(after + dt.timedelta(days=rng.randint(1, 8)))))
        elif story == "returned":
            back = after + dt.timedelta(days=rng.randint(1, 6))
            again = back + dt.timedelta(days=rng.randint(2, 9))
            accept = again + dt.timedelta(days=rng.randint(1, 5))
            steps += [
                ("return", self._at(back)),
                ("resubmit", self._at(again, back=False)),
                ("accept", self._at(accept, back=False)),
            ]
        return self._ordered(self._with_scan(steps, 0.85), cap)

    def _current_steps(self, cycle, story: str, cap: dt.datetime):
        kinds = {
            "submitted": ["start", "save", "submit"],
            "accepted": ["start", "save", "submit", "accept"],
            "returned": ["start", "save", "submit", "return"],
            "draft": ["start", "save"] + (["save"] if self.rng.random() < 0.5 else []),
        }[story]
        days = self._days(cycle.opens_on, cap.date(), len(kinds))
        steps = [(kind, self._at(day, back=False)) for kind, day in zip(kinds, days, strict=True)]
        return self._ordered(self._with_scan(steps, 0.85), cap)

    # Playing ------------------------------------------------------------------------

    def _scan(self, profile: _Profile, cycle, *, corrected: bool = False):
        org = profile.organisation
        plan_no = self.plan.number.replace("/", "-")
        suffix = " (bản sửa đổi)" if corrected else ""
        name = f"Báo cáo {plan_no} năm {cycle.year} - {org.display_name}{suffix}.pdf"
        return _checked_pdf(
            name,
            [
                org.name.upper(),
                f"BAO CAO ket qua thuc hien Ke hoach so {self.plan.number} nam {cycle.year}",
                "Ban chup co chu ky, dong dau" + (" - ban sua doi" if corrected else ""),
            ],
        )

    def _play(self, cycle, profile: _Profile, story: str, steps) -> None:
        from reports.services.files import attachment_add
        from reports.services.reports import (
            report_accept,
            report_return,
            report_save,
            report_start,
            report_submit,
        )

        rng, user = self.rng, profile.user
        numbers = sorted(self.scope[profile.organisation.pk])
        full = self._content(profile, numbers, cycle.year)
        first, comments, fixed = full, {}, full
        if story == "returned":
            first, comments, fixed = self._returned_versions(profile, full, cycle.year)
        saves = iter([self._draft(full, rng.uniform(0.3, 0.5)), self._draft(full, 0.7)])
        submitted = False
        report = None
        for kind, moment in steps:
            with self.travel(moment, tick=False):
                if kind == "start":
                    report = report_start(
                        cycle=cycle, organisation=profile.organisation, actor=user
                    )
                elif kind == "save":
                    report = report_save(
                        report=report, content=next(saves), version=report.version, actor=user
                    )
                elif kind == "attach":
                    attachment_add(
                        report=report,
                        checked=self._scan(profile, cycle, corrected=submitted),
                        kind=AttachmentKind.SIGNED_SCAN,
                        actor=user,
                    )
                elif kind in ("submit", "resubmit"):
                    content = first if kind == "submit" else fixed
                    report = report_submit(
                        report=report, content=content, version=report.version, actor=user
                    )
                    submitted = True
                elif kind == "return":
                    report = report_return(
                        report=report,
                        comment=rng.choice(_RETURN_COMMENTS).format(year=cycle.year),
                        section_comments=comments,
                        actor=self.reviewer,
                    )
                elif kind == "accept":
                    comment = "Báo cáo đầy đủ, đúng hướng dẫn." if rng.random() < 0.3 else ""
                    report = report_accept(report=report, actor=self.reviewer, comment=comment)

    def cycle(self, year: int, *, current: bool) -> None:
        from reports.services.cycles import cycle_close, cycle_open

        opens, due = dt.date(year, 11, 1), dt.date(year, 12, 15)
        closes = dt.date(year + 1, 1, 31)
        created = min(self._at(opens - dt.timedelta(days=12)), self.ceiling)
        with self.travel(created, tick=False):
            cycle = cycle_open(
                plan=self.plan, year=year,
                period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                opens_on=opens, due_on=due, closes_on=closes, actor=self.reviewer,
            )  # fmt: skip
        orgs = [
            p.organisation
            for p in self.profiles.values()
            if (p.organisation.valid_from is None or p.organisation.valid_from <= cycle.period_end)
            and (p.organisation.valid_to is None or p.organisation.valid_to >= cycle.period_start)
        ]
        if current:
            cap = min(self.ceiling, end_of_day(due))
            active = (cap.date() - opens).days >= 3
            stories = self._current_stories(orgs, active)
            for org in orgs:
                if stories[org.pk] != "missing":
                    steps = self._current_steps(cycle, stories[org.pk], cap)
                    self._play(cycle, self.profiles[org.pk], stories[org.pk], steps)
            return
        closing = min(dt.datetime.combine(closes, dt.time(16, 30), self.zone), self.ceiling)
        cap = closing - dt.timedelta(minutes=30)
        stories = self._past_stories(orgs)
        for org in orgs:
            story, late = stories[org.pk]
            if story != "missing":
                steps = self._past_steps(cycle, story, late, cap)
                self._play(cycle, self.profiles[org.pk], story, steps)
        with self.travel(closing, tick=False):
            cycle_close(cycle=cycle, actor=self.reviewer)

    def subplans(self) -> None:
        """About two thirds of the committees that must issue their own plan do, some
        before the plan's deadline and some after."""
        from reports.services.subplans import subplan_register
        from tasks.selectors import subplan_expected_organisations

        rng, due = self.rng, self.plan.subplans_due
        expected = [
            o for o in subplan_expected_organisations(self.plan, day=due) if o.pk in self.profiles
        ]
        chosen: list[Organisation] = []
        for kind in sorted({o.kind for o in expected}):
            of_kind = [o for o in expected if o.kind == kind]
            chosen += rng.sample(of_kind, round(len(of_kind) * 2 / 3))
        chosen.sort(key=lambda o: -self.profiles[o.pk].diligence)
        on_time = round(len(chosen) * 0.6)
        for i, org in enumerate(chosen):
            if i < on_time:
                day = due - dt.timedelta(days=rng.randint(0, 45))
            else:
                day = due + dt.timedelta(days=rng.randint(5, 150))
            moment = min(self._at(day), self.ceiling)
            issued = moment.date() - dt.timedelta(days=rng.randint(1, 12))
            number = _subplan_number(org, rng.randint(3, 60))
            checked = _checked_pdf(
                f"Kế hoạch {number.replace('/', '-')} - {org.display_name}.pdf",
                [
                    org.name.upper(),
                    f"KE HOACH so {number}",
                    f"thuc hien Ke hoach so {self.plan.number} cua Ban Thuong vu Tinh uy",
                ],
            )
            with self.travel(moment, tick=False):
                subplan_register(
                    plan=self.plan, organisation=org, number=number, issued_on=issued,
                    checked=checked, actor=self.profiles[org.pk].user,
                )  # fmt: skip


def demo_history_create(*, today: dt.date | None = None) -> dict:
    """For every plan with no reporting cycle yet: three closed yearly cycles and the
    current year's open one, with reports in believable states, signed scans and the
    committees' own implementation plans — all made through reports.services at the
    moments they would have happened. A second run creates nothing. Returns the counts
    (demo_history_counts)."""
    import time_machine  # a dev dependency: demo data only

    today = today or timezone.localdate()
    rng = random.Random(112)  # noqa: S311 - demo data, not secrets
    reviewer = User.objects.filter(username=REVIEWER_USERNAME).first()
    reporters = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(role=Role.REPORTER, user__username__startswith="bc-")
        .select_related("user")
        .order_by("user__username")
    }
    created = False
    for plan in Plan.objects.order_by("pk"):
        if ReportingCycle.objects.filter(plan=plan).exists():
            continue
        if reviewer is None or not reporters:
            raise ValueError(
                "Chưa có tài khoản trình diễn: hãy chạy demo_accounts_create trước"
                " (demo accounts are needed first)."
            )
        with transaction.atomic():
            if plan.subplans_due is None:  # demo configuration
                plan.subplans_due = dt.date(today.year - 3, 3, 31)
                Plan.objects.filter(pk=plan.pk).update(subplans_due=plan.subplans_due)
            history = _History(
                plan, today=today, rng=rng, reviewer=reviewer, reporters=reporters,
                travel=time_machine.travel,
            )  # fmt: skip
            history.subplans()
            for year in range(today.year - 3, today.year):
                history.cycle(year, current=False)
            history.cycle(today.year, current=True)
        created = True
    return {**demo_history_counts(), "created": created}


def demo_history_counts() -> dict:
    reports = list(AnnualReport.objects.select_related("cycle"))
    statuses = dict.fromkeys(ReportStatus.values, 0)
    for report in reports:
        statuses[report.status] += 1
    subplans = list(SubPlan.objects.select_related("plan"))
    cycles = list(ReportingCycle.objects.values_list("status", flat=True))
    return {
        "cycles": len(cycles),
        "cycles_open": cycles.count(CycleStatus.OPEN),
        "cycles_closed": cycles.count(CycleStatus.CLOSED),
        "reports": len(reports),
        "statuses": statuses,
        "late": sum(1 for r in reports if r.on_time is False),
        "attachments": Attachment.objects.filter(removed_at__isnull=True).count(),
        "subplans": len(subplans),
        "subplans_late": sum(1 for s in subplans if s.on_time is False),
    }


def demo_history_summary(counts: dict) -> str:
    """One line in Vietnamese, e.g. "Lịch sử báo cáo: 4 kỳ (3 đã đóng, 1 đang mở), …"."""
    statuses = ", ".join(
        f"{counts['statuses'][status]} {str(ReportStatus(status).label).lower()}"
        for status in (
            ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.RETURNED,
            ReportStatus.DRAFT,
        )
        if counts["statuses"].get(status)
    )  # fmt: skip
    late = f"; {counts['late']} nộp trễ hạn" if counts["late"] else ""
    return (
        f"Lịch sử báo cáo: {counts['cycles']} kỳ ({counts['cycles_closed']} đã đóng,"
        f" {counts['cycles_open']} đang mở), {counts['reports']} báo cáo"
        + (f" ({statuses}{late})" if statuses else "")
        + f", {counts['subplans']} kế hoạch thực hiện"
        + (f" ({counts['subplans_late']} ban hành trễ hạn)" if counts["subplans_late"] else "")
        + "."
    )
