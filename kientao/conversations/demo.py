"""Demo: a citizen conversation on plastic waste and the night-time economy in the city.

Idempotent: the conversation is keyed by a fixed public id; simulated participants and
their votes are created only once, and the analysis runs only when none exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from django.db import transaction

from kientao.conversations.models import Conversation, Participant, Statement, Vote

PUBLIC_ID = "DemoRacThaiNhua"
N_PARTICIPANTS = 300

SEEDS = [
    "Thành phố nên cấm túi ni lông dùng một lần tại chợ và siêu thị.",
    "Quán ăn đêm ven biển nên được mở cửa đến 2 giờ sáng.",
    "Phố đi bộ ban đêm mang lại thu nhập cho người dân địa phương.",
    "Tiếng ồn từ quán bar ảnh hưởng nghiêm trọng đến giấc ngủ của cư dân.",
    "Nên thu phí túi ni lông thay vì cấm hoàn toàn.",
    "Người bán hàng rong cần được hỗ trợ chuyển sang bao bì thân thiện môi trường.",
    "Rác thải nhựa trên bãi biển chủ yếu do khách du lịch để lại.",
    "Thành phố nên đặt thêm thùng rác phân loại ở khu vui chơi ban đêm.",
    "Cần có xe buýt hoạt động đến nửa đêm phục vụ kinh tế đêm.",
    "Các sự kiện âm nhạc ngoài trời nên kết thúc trước 23 giờ.",
    "Doanh nghiệp dùng ly nhựa nên bị phạt nặng hơn.",
    "Chợ đêm làm tăng lượng rác thải nhựa trong khu dân cư.",
    "Tôi sẵn sàng mang hộp riêng khi mua đồ ăn mang về.",
    "Kinh tế đêm quan trọng hơn sự yên tĩnh của khu phố.",
    "Nên có khu vực riêng cho hoạt động giải trí về đêm, xa nhà dân.",
    "Trạm đổi chai nhựa lấy vé xe buýt là một ý tưởng hay.",
    "Chính quyền phường cần lắng nghe cư dân trước khi cấp phép quán bar mới.",
    "Ống hút nhựa nên bị cấm hoàn toàn ở các quán cà phê.",
    "Giá sản phẩm thay thế nhựa hiện còn quá cao với người bán nhỏ.",
    "Cần tăng cường tuần tra an ninh ở khu phố đêm.",
    "Lễ hội đêm thu hút khách du lịch và nên tổ chức thường xuyên hơn.",
    "Trường học nên dạy học sinh phân loại rác từ tiểu học.",
    "Người dân nên được tham gia giám sát việc thu gom rác.",
    "Hạn chế giờ bán rượu bia sẽ làm giảm tai nạn giao thông ban đêm.",
    "Các quán ăn nên được giảm thuế nếu không dùng đồ nhựa một lần.",
    "Biển hiệu đèn LED quá sáng gây ô nhiễm ánh sáng.",
    "Thành phố nên công bố số liệu rác thải nhựa hằng tháng.",
    "Kinh tế đêm tạo việc làm cho thanh niên.",
    "Cần có nhà vệ sinh công cộng sạch sẽ ở khu vui chơi đêm.",
    "Tôi tin rằng người dân sẽ thay đổi thói quen dùng nhựa nếu có lựa chọn rẻ hơn.",
]

# Three opinion groups: leaning per statement (+1 agree, −1 disagree, 0 mixed).
LEANINGS = np.array([
    # residents worried about noise, strong on waste
    [1, -1, -1, 1, -1, 1, 1, 1, 0, 1, 1, 1, 1, -1, 1, 1, 1, 1, 0, 1, -1, 1, 1, 1, 1, 1, 1, -1, 1, 1],
    # night-time business owners
    [-1, 1, 1, -1, 1, 1, 1, 1, 1, -1, -1, -1, 0, 1, -1, 1, -1, -1, 1, 1, 1, 1, 0, -1, 1, -1, 0, 1, 1, 0],
    # young people: nightlife and green
    [1, 1, 1, -1, 0, 1, -1, 1, 1, -1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1],
])
QUESTIONS = [
    {"key": "age_band", "label_vi": "Nhóm tuổi", "label_en": "Age band",
     "choices": ["18–29", "30–44", "45–59", "60+"]},
    {"key": "district", "label_vi": "Quận", "label_en": "District",
     "choices": ["Hải Châu", "Sơn Trà", "Ngũ Hành Sơn", "Thanh Khê"]},
]


def load(context: Any) -> None:
    with transaction.atomic():
        conversation, created = Conversation.objects.get_or_create(
            public_id=PUBLIC_ID,
            defaults={
                "organisation": context.city_lab,
                "topic": "Rác thải nhựa và kinh tế ban đêm ở Đà Nẵng",
                "description": (
                    "Thành phố muốn phát triển kinh tế ban đêm mà vẫn giảm rác thải nhựa ven biển. "
                    "Hãy cho biết bạn đồng ý hay không với từng ý kiến, và thêm ý kiến của bạn."
                ),
                "languages": ["vi", "en"],
                "allow_statements": True,
                "moderation": Conversation.Moderation.PRE,
                "attribute_questions": QUESTIONS,
                "consent_text": (
                    "Câu trả lời chỉ dùng để thống kê theo nhóm; nhóm dưới 10 người không được công bố."
                ),
                "report_published": True,
                "created_by": context.users.get("organiser"),
            },
        )
        statements = list(conversation.statements.order_by("pk"))
        if not statements:
            for text in SEEDS:
                Statement.objects.create(conversation=conversation, text=text, is_seed=True,
                                         status=Statement.Status.ACCEPTED, language="vi",
                                         author_user=context.users.get("organiser"))
            statements = list(conversation.statements.order_by("pk"))
            Statement.objects.get_or_create(
                conversation=conversation, text="Cần cấm hoàn toàn túi ni lông ở các chợ và siêu thị.",
                defaults={"status": Statement.Status.PENDING, "language": "vi"},
            )
        if not conversation.participants.exists():
            _simulate(conversation, statements[: len(SEEDS)])
    if not conversation.analyses.exists():
        from kientao.conversations.analysis import run_analysis

        run_analysis(conversation)
    context.log.append(
        f"conversations: '{conversation.topic}' with {conversation.participants.count()} participants "
        f"(vote at /conversations/{PUBLIC_ID}/)"
    )


def _simulate(conversation: Conversation, statements: list[Statement]) -> None:
    rng = np.random.default_rng(2026)
    groups = rng.choice(3, size=N_PARTICIPANTS, p=[0.4, 0.3, 0.3])
    participants = []
    for i in range(N_PARTICIPANTS):
        attributes: dict[str, str] = {}
        if rng.random() < 0.7:
            attributes = {"age_band": QUESTIONS[0]["choices"][int(rng.integers(4))],
                          "district": QUESTIONS[1]["choices"][int(rng.integers(4))]}
        participants.append(Participant(
            conversation=conversation,
            token_hash=hashlib.sha256(f"demo-{PUBLIC_ID}-{i}".encode()).hexdigest(),
            attributes=attributes, consent_at=conversation.created_at if attributes else None,
        ))
    Participant.objects.bulk_create(participants)
    created = list(conversation.participants.order_by("pk"))
    votes = []
    for person, group in zip(created, groups, strict=True):
        n_seen = int(rng.integers(10, len(statements) + 1))
        for j in rng.choice(len(statements), size=n_seen, replace=False):
            lean = LEANINGS[group, j]
            r = rng.random()
            if r < 0.1:
                value = 0
            elif lean == 0:
                value = 1 if rng.random() < 0.5 else -1
            else:
                value = int(lean) if r < 0.85 else -int(lean)
            votes.append(Vote(participant=person, statement=statements[int(j)], value=value))
    Vote.objects.bulk_create(votes, batch_size=2000)
