"""Demo: a plastic-pollution innovation challenge with 60 proposals, 8 judges, scores, winners, a cohort."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kientao.challenges import analysis
from kientao.challenges.models import (
    Assignment,
    Challenge,
    Cohort,
    Criterion,
    Decision,
    FieldKind,
    FormField,
    Judge,
    Kpi,
    KpiValue,
    Mentor,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    PublicVote,
    Score,
    Submission,
)
from kientao.core.demo import DEMO_DOMAIN, DEMO_PASSWORD
from kientao.core.models import User

SLUG = "giam-rac-thai-nhua-ven-bien"
IDEAS = [
    ("Túi sinh học từ bã mía", "vật liệu thay thế túi nilon, phân hủy sinh học, bã mía"),
    ("Trạm đổi chai nhựa lấy vé xe buýt", "thu gom chai nhựa, giao thông công cộng, khuyến khích"),
    ("Lưới chắn rác ở cửa sông", "rác trôi, sông Hàn, lưới chắn, thu gom"),
    ("Ứng dụng bản đồ điểm tái chế", "ứng dụng di động, bản đồ, tái chế, người dân"),
    ("Gạch lát từ nhựa tái chế", "tái chế nhựa, vật liệu xây dựng, gạch"),
    ("Chợ không túi nilon", "chợ truyền thống, tiểu thương, túi vải, thay đổi hành vi"),
    ("Thu gom ngư cụ bỏ đi", "lưới đánh cá, ngư dân, đại dương, thu gom"),
    ("Cốc tái sử dụng cho quán cà phê", "cốc tái sử dụng, quán cà phê, đặt cọc"),
    ("Robot vớt rác trên biển", "robot, vớt rác, bãi biển, cảm biến"),
    ("Giáo dục phân loại rác ở trường học", "trường học, học sinh, phân loại rác, giáo dục"),
    ("Ống hút từ cỏ bàng", "ống hút, cỏ bàng, thủ công, làng nghề"),
    ("Nền tảng dữ liệu rác thải ven biển", "dữ liệu mở, giám sát, rác thải, ven biển"),
]
JUDGES = [
    ("giamkhao.vatlieu", "TS. Ngô Thanh Tùng", "vật liệu sinh học, tái chế nhựa, gạch, bã mía"),
    ("giamkhao.moitruong", "ThS. Bùi Thị Hạnh", "môi trường biển, rác trôi, sông, ngư cụ"),
    ("giamkhao.congnghe", "KS. Đỗ Quang Huy", "ứng dụng di động, robot, cảm biến, dữ liệu"),
    ("giamkhao.xahoi", "Phan Thị Mai", "thay đổi hành vi, giáo dục, cộng đồng, chợ"),
    ("giamkhao.taichinh", "Lý Văn Sơn", "mô hình kinh doanh, đặt cọc, khuyến khích"),
    ("giamkhao.chinhsach", "Trịnh Thu Trang", "chính sách, giao thông công cộng, thành phố"),
    ("giamkhao.dulich", "Hồ Minh Khoa", "du lịch, bãi biển, quán cà phê, làng nghề"),
]


def _user(local: str, name: str) -> User:
    user = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
    if user is None:
        user = User.objects.create_user(email=f"{local}@{DEMO_DOMAIN}", password=DEMO_PASSWORD,
                                        full_name=name, email_confirmed=True)
    return user


@transaction.atomic
def load(context: Any) -> None:
    if Challenge.objects.filter(slug=SLUG).exists():
        context.log.append("challenges: demo challenge already present")
        existing = Challenge.objects.get(slug=SLUG)
        _cohort(context, existing)
        _peoples_choice(context, existing)
        return
    rng = random.Random(2026)
    now = timezone.now()
    challenge = Challenge.objects.create(
        organisation=context.city_lab, slug=SLUG, is_published=True,
        title="Thử thách đổi mới sáng tạo: giảm rác thải nhựa ven biển Đà Nẵng",
        summary="Tìm giải pháp giảm rác thải nhựa từ nguồn đến biển, có thể thử nghiệm trong 6 tháng.",
        problem_statement=(
            "Mỗi ngày thành phố thải ra hàng chục tấn rác nhựa; một phần trôi ra biển qua sông Hàn.\n\n"
            "**Chúng tôi tìm** giải pháp về vật liệu thay thế, thu gom, tái chế và thay đổi hành vi.\n\n"
            "- Thử nghiệm được trong 6 tháng\n- Có chỉ số đo lường rõ ràng\n"
        ),
        sdg_tags="11, 12, 14", affected_groups="Ngư dân, tiểu thương chợ, khách du lịch, người dân ven biển",
        prizes="3 giải, mỗi giải 200 triệu đồng và 6 tháng ươm tạo tại CityLab",
        eligibility="Nhóm từ 2 người, có ít nhất một thành viên cư trú tại Đà Nẵng.",
        opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=60),
        judging_at=now - timedelta(days=45), final_at=now - timedelta(days=10),
        accelerator_at=now - timedelta(days=2), closed_at=now + timedelta(days=180),
        per_submission=3, max_load=30, shortlist_size=10,
    )
    FormField.objects.bulk_create([
        FormField(challenge=challenge, key="nhom", position=1, kind=FieldKind.TEAM, identifying=True,
                  label_vi="Thành viên nhóm", label_en="Team members", required=True),
        FormField(challenge=challenge, key="mo-ta", position=2, kind=FieldKind.LONG_TEXT, word_limit=500,
                  label_vi="Mô tả giải pháp", label_en="Describe your solution", required=True),
        FormField(challenge=challenge, key="da-nang", position=3, kind=FieldKind.CHOICE, choices="Có\nKhông",
                  eligibility_answer="Có", required=True,
                  label_vi="Có thành viên cư trú tại Đà Nẵng?", label_en="A member lives in Da Nang?"),
        FormField(challenge=challenge, key="ho-so", position=4, kind=FieldKind.FILE, allowed_types="pdf",
                  max_size_mb=5, label_vi="Hồ sơ thuyết minh (PDF)", label_en="Pitch deck (PDF)"),
    ])
    criteria = Criterion.objects.bulk_create([
        Criterion(challenge=challenge, position=1, name_vi="Tác động", name_en="Impact", weight=2,
                  levels={"1": "Không rõ tác động", "5": "Giảm rác đo được, quy mô thành phố"}),
        Criterion(challenge=challenge, position=2, name_vi="Tính khả thi", name_en="Feasibility", weight=1.5,
                  levels={"1": "Chưa có kế hoạch", "5": "Sẵn sàng thử nghiệm"}),
        Criterion(challenge=challenge, position=3, name_vi="Đổi mới", name_en="Novelty", weight=1),
        Criterion(challenge=challenge, position=4, name_vi="Năng lực nhóm", name_en="Team", weight=1),
    ])
    applicants = [_user(f"nhom{i:02d}", f"Nhóm {i:02d}") for i in range(1, 60)]
    applicants.insert(0, context.users["applicant"])
    subs = []
    quality = []
    for i, user in enumerate(applicants, start=1):
        title, words = IDEAS[(i - 1) % len(IDEAS)]
        eligible = rng.random() > 0.08
        subs.append(Submission(
            challenge=challenge, applicant=user, number=i, title=f"{title} ({i})",
            status=Submission.Status.ELIGIBLE if eligible else Submission.Status.INELIGIBLE,
            screening_reason="Đạt các điều kiện tự động." if eligible else "Không có thành viên cư trú tại Đà Nẵng.",
            submitted_at=now - timedelta(days=70), answers={
                "nhom": [{"name": user.full_name, "role": "Trưởng nhóm"}],
                "mo-ta": f"Giải pháp {title.lower()}: {words}.", "da-nang": "Có" if eligible else "Không"},
        ))
        quality.append(rng.gauss(3.2, 0.7))
    Submission.objects.bulk_create(subs)
    judges = [Judge(challenge=challenge, user=context.users["judge"],
                    keywords="môi trường, tái chế nhựa, chính sách thành phố")]
    judges += [Judge(challenge=challenge, user=_user(local, name), keywords=kw) for local, name, kw in JUDGES]
    Judge.objects.bulk_create(judges)
    analysis.assign(challenge, per_submission=3, min_load=0, max_load=30, seed=1)
    bias = {j.pk: rng.gauss(0, 0.5) for j in challenge.judges.all()}
    by_number = {s.number: q for s, q in zip(subs, quality, strict=True)}
    scores = []
    for a in Assignment.objects.filter(judge__challenge=challenge).select_related("submission"):
        for c in criteria:
            value = round(by_number[a.submission.number] + bias[a.judge_id] + rng.gauss(0, 0.6))
            scores.append(Score(assignment=a, criterion=c, value=max(1, min(5, value)),
                                comment="Đánh giá mẫu."))
    Score.objects.bulk_create(scores)
    analysis.calibrate(challenge)
    organiser = context.users["organiser"]
    for rank, entry in enumerate(challenge.ranking.select_related("submission")[:10], start=1):
        kind = Decision.Kind.WINNER if rank <= 3 else Decision.Kind.SHORTLIST
        status = Submission.Status.WINNER if rank <= 3 else Submission.Status.SHORTLISTED
        Decision.objects.create(submission=entry.submission, kind=kind, outcome=status, actor=organiser,
                                reason=f"Xếp hạng {entry.rank} sau hiệu chỉnh; hội đồng thống nhất.")
        Submission.objects.filter(pk=entry.submission_id).update(status=status)
    context.log.append(f"challenges: {challenge.title} — {len(subs)} submissions, {len(judges)} judges, "
                       f"{len(scores)} scores")
    _cohort(context, challenge)
    _peoples_choice(context, challenge)


COHORT = "Khóa ươm tạo 2026"


def _cohort(context: Any, challenge: Challenge) -> None:
    """The winners' accelerator cohort: milestones, indicators, a mentor and two progress reports."""
    if challenge.cohorts.filter(name=COHORT).exists():
        return
    today = timezone.localdate()
    winners = list(challenge.submissions.filter(status=Submission.Status.WINNER).order_by("number"))
    if not winners:
        return
    cohort = Cohort.objects.create(challenge=challenge, name=COHORT, starts_on=today - timedelta(days=2),
                                   ends_on=today + timedelta(days=180))
    cohort.teams.set(winners)
    milestones = [
        Milestone.objects.create(cohort=cohort, title="Kế hoạch thử nghiệm được duyệt", due_on=today - timedelta(days=1)),
        Milestone.objects.create(cohort=cohort, title="Thử nghiệm tại một phường", due_on=today + timedelta(days=60)),
        Milestone.objects.create(cohort=cohort, title="Báo cáo đánh giá tác động", due_on=today + timedelta(days=170)),
    ]
    MilestoneStatus.objects.bulk_create([
        MilestoneStatus(milestone=m, submission=team,
                        state=MilestoneStatus.State.DONE if (i == 0 and n != 1) else MilestoneStatus.State.NOT_STARTED)
        for i, m in enumerate(milestones) for n, team in enumerate(winners)
    ])
    kpi = Kpi.objects.create(cohort=cohort, name="Rác nhựa thu gom", unit="kg/tháng", target=500)
    users = Kpi.objects.create(cohort=cohort, name="Hộ dân tham gia", unit="hộ", target=200)
    Mentor.objects.create(cohort=cohort, submission=winners[0], user=context.users["member"])
    for days, text, kg, homes in ((1, "Đã ký thỏa thuận với phường và chuẩn bị điểm thu gom.", 40, 25),
                                  (0, "Tuần đầu thu gom: người dân hưởng ứng tốt.", 120, 60)):
        report = ProgressReport.objects.create(cohort=cohort, submission=winners[0], author=winners[0].applicant,
                                               text=text, created_at=timezone.now() - timedelta(days=days))
        KpiValue.objects.bulk_create([KpiValue(report=report, kpi=kpi, value=kg),
                                      KpiValue(report=report, kpi=users, value=homes)])
    context.log.append(f"challenges: accelerator cohort with {len(winners)} teams")


STEADY_VOTERS = 36
SPIKE_VOTERS = 12


def _peoples_choice(context: Any, challenge: Challenge) -> None:
    """People's choice on, with votes from demo accounts: steady traffic and one suspicious hour.

    36 older accounts vote about one an hour over a day and a half; then 12 accounts created an
    hour earlier vote within one hour from one address, so the anomaly report shows a spike, a
    share of new accounts and a repeated address.
    """
    if challenge.public_votes.exists():
        return
    now = timezone.now()
    if not challenge.peoples_choice:
        challenge.peoples_choice = True
        challenge.voting_opens_at = now - timedelta(days=3)
        challenge.voting_closes_at = now + timedelta(days=14)
        challenge.save(update_fields=["peoples_choice", "voting_opens_at", "voting_closes_at"])
    candidates = list(challenge.submissions.filter(status__in=Submission.IN_REVIEW).order_by("number"))
    if not candidates:
        return
    rng = random.Random(7)
    favourites = candidates[:8]
    start = now - timedelta(hours=STEADY_VOTERS + 4)
    votes = []
    for i in range(STEADY_VOTERS):
        user = _user(f"binhchon{i + 1:02d}", f"Người bình chọn {i + 1:02d}")
        User.objects.filter(pk=user.pk).update(date_joined=now - timedelta(days=30 + i))
        votes.append(PublicVote(
            challenge=challenge, user=user, submission=rng.choice(favourites if rng.random() < 0.7 else candidates),
            address_hash=hashlib.sha256(f"kientao-demo-address-{i}".encode()).hexdigest(),
            created_at=start + timedelta(hours=i, minutes=rng.randrange(60))))
    # at the top of an hour, so the whole burst (48 minutes) falls in one hour of the report
    spike_at = (now - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    shared_address = hashlib.sha256(b"kientao-demo-address-shared").hexdigest()
    for i in range(SPIKE_VOTERS):
        user = _user(f"binhchon-moi{i + 1:02d}", f"Tài khoản mới {i + 1:02d}")
        User.objects.filter(pk=user.pk).update(date_joined=spike_at - timedelta(hours=1))
        votes.append(PublicVote(challenge=challenge, user=user, submission=candidates[-1],
                                address_hash=shared_address, created_at=spike_at + timedelta(minutes=4 * i)))
    PublicVote.objects.bulk_create(votes, ignore_conflicts=True)
    context.log.append(f"challenges: people's choice with {len(votes)} demo votes")
