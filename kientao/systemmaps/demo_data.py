"""Demo data: the plastic-waste causal map of a coastal Vietnamese city and its actor map.

A fictional city modelled on Da Nang-like settings (tourism, fishing, informal
waste pickers). Pure data, no Django: the web layer loads it as demo content
(``plastic_waste_map()``, ``waste_actor_map()``). Labels are Vietnamese; every
factor and actor carries its English translation in ``fields["label_en"]``.
"""

from __future__ import annotations

from kientao.systemmaps.engine.actors import Actor, ActorMap, Relation
from kientao.systemmaps.engine.model import Factor, Link, NamedLoop, SystemMap

# (id, Vietnamese label, English label, type)
FACTORS: tuple[tuple[str, str, str, str], ...] = (
    ("tourism", "Du lịch", "Tourism", "economy"),
    ("single_use", "Tiêu dùng đồ nhựa dùng một lần", "Single-use plastic consumption", "behaviour"),
    ("waste", "Rác thải nhựa phát sinh", "Plastic waste generated", "waste"),
    ("collection", "Năng lực thu gom rác", "Waste collection capacity", "service"),
    ("uncollected", "Rác nhựa không được thu gom", "Uncollected plastic waste", "waste"),
    ("leakage", "Rác nhựa rò rỉ ra biển", "Plastic leakage to the ocean", "environment"),
    ("beach", "Chất lượng bãi biển", "Beach quality", "environment"),
    ("fish", "Nguồn lợi thủy sản", "Fish stocks", "environment"),
    ("fisher_income", "Thu nhập ngư dân", "Fishers' income", "livelihood"),
    ("ghost_gear", "Ngư cụ bị bỏ rơi", "Abandoned fishing gear", "waste"),
    ("pickers", "Số người nhặt ve chai", "Number of informal waste pickers", "livelihood"),
    ("picker_income", "Thu nhập người nhặt ve chai", "Waste pickers' income", "livelihood"),
    ("scrap_price", "Giá phế liệu nhựa", "Price of recyclable plastic", "market"),
    ("recycled", "Lượng nhựa được tái chế", "Plastic recycled", "waste"),
    ("virgin_price", "Giá nhựa nguyên sinh", "Price of virgin plastic", "market"),
    ("landfilled", "Rác nhựa chôn lấp", "Plastic landfilled", "waste"),
    ("landfill_pressure", "Áp lực lên bãi chôn lấp", "Pressure on the landfill", "service"),
    ("budget", "Ngân sách môi trường của thành phố", "City environmental budget", "policy"),
    ("tourism_revenue", "Doanh thu du lịch", "Tourism revenue", "economy"),
    ("concern", "Mối quan tâm của cộng đồng", "Public concern", "behaviour"),
    ("awareness", "Chiến dịch nâng cao nhận thức", "Awareness campaigns", "policy"),
    ("regulation", "Quy định hạn chế nhựa dùng một lần", "Rules limiting single-use plastics", "policy"),
    ("alternatives", "Sản phẩm thay thế nhựa", "Availability of alternatives to plastic", "market"),
    ("alt_price", "Giá sản phẩm thay thế", "Price of alternatives", "market"),
    ("sorting", "Phân loại rác tại nguồn", "Waste sorting at source", "behaviour"),
    ("inclusion", "Hỗ trợ và hội nhập người nhặt ve chai", "Support and inclusion of waste pickers", "policy"),
    ("cleanups", "Hoạt động dọn rác bãi biển", "Beach clean-ups", "behaviour"),
    ("epr", "Trách nhiệm mở rộng của nhà sản xuất (EPR)", "Extended producer responsibility (EPR)", "policy"),
)  # fmt: skip

# (from, to, sign, delayed)
LINKS: tuple[tuple[str, str, int, bool], ...] = (
    ("tourism", "single_use", 1, False),
    ("single_use", "waste", 1, False),
    ("waste", "uncollected", 1, False),
    ("collection", "uncollected", -1, False),
    ("uncollected", "leakage", 1, False),
    ("leakage", "beach", -1, False),
    ("beach", "tourism", 1, True),
    ("tourism", "tourism_revenue", 1, False),
    ("tourism_revenue", "budget", 1, True),
    ("budget", "collection", 1, True),
    ("leakage", "fish", -1, True),
    ("fish", "fisher_income", 1, False),
    ("fisher_income", "ghost_gear", -1, False),
    ("ghost_gear", "fish", -1, False),
    ("ghost_gear", "leakage", 1, False),
    ("scrap_price", "picker_income", 1, False),
    ("picker_income", "pickers", 1, True),
    ("pickers", "uncollected", -1, False),
    ("pickers", "recycled", 1, False),
    ("recycled", "scrap_price", -1, False),
    ("virgin_price", "scrap_price", 1, False),
    ("leakage", "concern", 1, False),
    ("beach", "concern", -1, False),
    ("concern", "awareness", 1, False),
    ("awareness", "single_use", -1, True),
    ("concern", "regulation", 1, True),
    ("regulation", "single_use", -1, False),
    ("regulation", "alternatives", 1, False),
    ("alternatives", "single_use", -1, False),
    ("alternatives", "alt_price", -1, True),
    ("alt_price", "alternatives", -1, False),
    ("awareness", "sorting", 1, False),
    ("sorting", "recycled", 1, False),
    ("sorting", "picker_income", 1, False),
    ("recycled", "landfilled", -1, False),
    ("waste", "landfilled", 1, False),
    ("collection", "landfilled", 1, False),
    ("landfilled", "landfill_pressure", 1, False),
    ("landfill_pressure", "budget", -1, True),
    ("budget", "inclusion", 1, True),
    ("inclusion", "picker_income", 1, False),
    ("concern", "cleanups", 1, False),
    ("cleanups", "beach", 1, False),
    ("regulation", "epr", 1, True),
    ("epr", "collection", 1, False),
    ("epr", "recycled", 1, False),
    ("tourism", "pickers", 0, False),
)

# (id, label, loop type, link positions in LINKS, 1-based)
NAMED_LOOPS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("b1", "B1: Du lịch tự giới hạn vì rác biển", "Balancing", (1, 2, 3, 5, 6, 7)),
    ("r1", "R1: Doanh thu du lịch nuôi thu gom", "Virtuous", (8, 9, 10, 4, 5, 6, 7)),
    ("r2", "R2: Ngư cụ bỏ rơi và nguồn lợi suy giảm", "Vicious", (12, 13, 14)),
    ("b2", "B2: Giá phế liệu và người nhặt ve chai", "Balancing", (16, 17, 19, 20)),
    ("b3", "B3: Quan tâm cộng đồng và nhận thức", "Balancing", (24, 25, 2, 3, 5, 22)),
)


def plastic_waste_map() -> SystemMap:
    """The plastic-waste causal map (28 factors, Vietnamese labels, several R and B loops)."""
    factors = tuple(
        Factor(fid, vi, type=kind, fields={"label_en": en}) for fid, vi, en, kind in FACTORS
    )
    links = tuple(
        Link(f"l{i}", src, dst, sign, delay=delayed)
        for i, (src, dst, sign, delayed) in enumerate(LINKS, start=1)
    )
    loops = tuple(
        NamedLoop(lid, label, tuple(f"l{i}" for i in ids), kind)
        for lid, label, kind, ids in NAMED_LOOPS
    )
    return SystemMap(
        factors,
        links,
        loops,
        name="Rác thải nhựa ở một thành phố ven biển",
        description="Plastic waste in a coastal Vietnamese city (demo map).",
    )


# (id, Vietnamese label, English label, type, power 0-10, interest 0-10)
ACTORS: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("city", "UBND thành phố", "City People's Committee", "government", 10, 7),
    ("donre", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment", "government", 8, 9),
    ("urenco", "Công ty Môi trường đô thị", "Urban Environment Company", "public company", 7, 8),
    ("wards", "UBND phường", "Ward People's Committees", "government", 5, 6),
    ("pickers", "Người nhặt ve chai", "Informal waste pickers", "informal sector", 2, 9),
    ("dealers", "Vựa phế liệu", "Scrap dealers", "informal sector", 4, 8),
    ("recyclers", "Doanh nghiệp tái chế", "Recycling companies", "business", 5, 7),
    ("producers", "Nhà sản xuất bao bì nhựa", "Plastic packaging producers", "business", 7, 3),
    ("hotels", "Khách sạn, nhà hàng", "Hotels and restaurants", "business", 6, 4),
    ("retail", "Siêu thị và chợ", "Supermarkets and markets", "business", 5, 4),
    ("tourists", "Khách du lịch", "Tourists", "public", 3, 2),
    ("residents", "Người dân", "Residents", "public", 4, 5),
    ("fishers", "Ngư dân", "Fishers", "community", 2, 6),
    ("women_union", "Hội Liên hiệp Phụ nữ", "Women's Union", "civil society", 5, 7),
    ("ngos", "Tổ chức phi chính phủ môi trường", "Environmental NGOs", "civil society", 3, 9),
    ("donors", "Nhà tài trợ quốc tế", "International donors", "donor", 6, 6),
)  # fmt: skip

# (from, to, kind, strength)
RELATIONS: tuple[tuple[str, str, str, float], ...] = (
    ("city", "donre", "directs", 3),
    ("city", "urenco", "funds", 3),
    ("city", "wards", "directs", 2),
    ("donre", "urenco", "regulates", 2),
    ("donre", "producers", "regulates (EPR)", 2),
    ("donre", "hotels", "regulates", 1),
    ("wards", "residents", "organises collection", 2),
    ("urenco", "residents", "collects from", 2),
    ("urenco", "hotels", "collects from", 2),
    ("pickers", "dealers", "sells to", 3),
    ("dealers", "recyclers", "sells to", 3),
    ("residents", "pickers", "gives recyclables to", 1),
    ("hotels", "pickers", "gives recyclables to", 1),
    ("producers", "retail", "supplies", 2),
    ("retail", "tourists", "sells to", 1),
    ("hotels", "tourists", "serves", 2),
    ("women_union", "residents", "runs sorting campaigns", 2),
    ("women_union", "pickers", "supports", 2),
    ("ngos", "pickers", "supports", 2),
    ("ngos", "fishers", "runs gear recovery with", 1),
    ("donors", "ngos", "funds", 2),
    ("donors", "city", "funds", 1),
    ("recyclers", "producers", "supplies recycled resin to", 1),
)


def waste_actor_map() -> ActorMap:
    """The actor map of the city's waste sector (16 actors, power and interest 0-10)."""
    actors = tuple(
        Actor(aid, vi, kind, power, interest, fields={"label_en": en})
        for aid, vi, en, kind, power, interest in ACTORS
    )
    relations = tuple(Relation(a, b, kind, strength) for a, b, kind, strength in RELATIONS)
    return ActorMap(actors, relations)
