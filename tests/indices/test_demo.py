"""The demo: a published provincial index with two built years, and a two-round survey."""

from __future__ import annotations

from typing import Any


def test_it_loads_the_demo_once(personas: Any) -> None:
    from kientao.core.demo import DemoContext
    from kientao.indices import demo
    from kientao.indices.models import Build, Framework, SurveyAnswer

    context = DemoContext(city_lab=personas.org, science_department=personas.other_org,
                          users={"organiser": personas.organiser})
    demo.load(context)
    pii = Framework.objects.get(name=demo.PII_NAME)
    assert pii.published and pii.years() == [2024, 2025]
    assert pii.units.count() == 20 and pii.elements.filter(level=2).count() == 7
    assert not Build.objects.exclude(status="succeeded").exists()
    assert Build.objects.count() == 4
    counts = (Framework.objects.count(), Build.objects.count(), SurveyAnswer.objects.count())
    demo.load(context)
    assert (Framework.objects.count(), Build.objects.count(), SurveyAnswer.objects.count()) == counts
    assert "indices" in context.log[0]
