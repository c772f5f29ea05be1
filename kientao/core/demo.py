"""Demo data: a coastal city's innovation lab running a circular-economy and plastic-waste
programme. Idempotent: running it again changes nothing. Each capability adds its part
through ``kientao.<app>.demo.load(context)`` (listed in ``CAPABILITY_DEMOS``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.db import transaction

from kientao.core.models import Membership, Organisation, Role, User

DEMO_PASSWORD = "KienTao-demo-2026"  # noqa: S105  (printed for the demo; never for production)
DEMO_DOMAIN = "demo.kientao.vn"

CAPABILITY_DEMOS = (
    "kientao.challenges.demo",
    "kientao.conversations.demo",
    "kientao.systemmaps.demo",
    "kientao.indices.demo",
)

# persona key, e-mail local part, full name, language, role in the city lab (None: no membership)
PERSONAS = (
    ("platform_admin", "admin", "Quản trị nền tảng", "vi", None),
    ("org_admin", "giamdoc", "Nguyễn Thị Lan", "vi", Role.ADMIN),
    ("organiser", "tochuc", "Trần Minh Quân", "vi", Role.ORGANISER),
    ("judge", "giamkhao", "Lê Hoàng Anh", "en", Role.JUDGE),
    ("member", "thanhvien", "Phạm Thu Hà", "vi", Role.MEMBER),
    ("applicant", "ungvien", "Võ Đức Thịnh", "vi", None),
    ("participant", "nguoidan", "Đặng Mai Phương", "vi", None),
    ("outsider", "khach", "Hoàng Văn Nam", "en", None),
)


@dataclass
class DemoContext:
    """What capability demos receive: the organisations and the persona accounts."""

    city_lab: Organisation
    science_department: Organisation
    users: dict[str, User] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def persona_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _user(key: str, local: str, name: str, language: str) -> User:
    email = persona_email(local)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=name, preferred_language=language,
            email_confirmed=True,
        )
    if key == "platform_admin" and not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


@transaction.atomic
def load() -> DemoContext:
    city_lab, _ = Organisation.objects.get_or_create(
        slug="danang-citylab",
        defaults={
            "name": "CityLab Đà Nẵng",
            "kind": Organisation.Kind.LAB,
            "description": (
                "Phòng thí nghiệm đổi mới sáng tạo của thành phố, điều phối chương trình "
                "kinh tế tuần hoàn và giảm rác thải nhựa ven biển.\n"
                "The city's innovation lab, running the circular-economy and coastal "
                "plastic-waste programme."
            ),
        },
    )
    science, _ = Organisation.objects.get_or_create(
        slug="so-khcn",
        defaults={
            "name": "Sở Khoa học và Công nghệ",
            "kind": Organisation.Kind.AGENCY,
            "description": "Provincial Department of Science and Technology.",
        },
    )
    context = DemoContext(city_lab=city_lab, science_department=science)
    for key, local, name, language, role in PERSONAS:
        user = _user(key, local, name, language)
        context.users[key] = user
        if role is not None:
            Membership.objects.get_or_create(user=user, organisation=city_lab, defaults={"role": role})
    Membership.objects.get_or_create(
        user=context.users["org_admin"], organisation=science, defaults={"role": Role.ADMIN}
    )
    for path in CAPABILITY_DEMOS:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name != path:
                raise
            continue
        module.load(context)
    return context


def logins() -> list[tuple[str, str]]:
    """(persona, e-mail) for the start-up banner."""
    return [(key, persona_email(local)) for key, local, _name, _lang, _role in PERSONAS]
