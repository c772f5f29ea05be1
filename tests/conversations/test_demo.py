"""The demo conversation loads once, fast, and is analysed and published."""

from __future__ import annotations

from typing import Any


def test_it_loads_the_demo_idempotently(db: Any) -> None:
    from kientao.conversations import demo as conversations_demo
    from kientao.conversations.models import AnalysisRun, Conversation, Participant, Vote
    from kientao.core.demo import DemoContext
    from kientao.core.models import Organisation, User

    lab = Organisation.objects.create(name="CityLab", slug="citylab")
    science = Organisation.objects.create(name="Science", slug="science")
    organiser = User.objects.create_user(email="o@example.org", password="x")
    context = DemoContext(city_lab=lab, science_department=science, users={"organiser": organiser})
    conversations_demo.load(context)
    counts = (Conversation.objects.count(), Participant.objects.count(), Vote.objects.count(),
              AnalysisRun.objects.count())
    conversations_demo.load(context)
    assert (Conversation.objects.count(), Participant.objects.count(), Vote.objects.count(),
            AnalysisRun.objects.count()) == counts
    conv = Conversation.objects.get()
    assert conv.report_published and conv.statements.count() == 31
    # the issue: a few hundred simulated participants in 2-3 opinion groups (3 planted)
    assert counts[1] == 300
    run = AnalysisRun.objects.get()
    assert run.n_participants == 300
    assert run.results["n_groups"] in (2, 3)
    sizes = [g["size"] for g in run.results["groups"]]
    assert sum(sizes) >= 200 and min(sizes) >= 30  # most are clustered, no stray tiny group
    assert any(d["attribute"] == "district" for d in run.results["disaggregation"])
    assert len(context.log) == 2
