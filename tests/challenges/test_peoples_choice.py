"""People's choice: one vote per verified account, voting window, rate limits, hashed addresses, anomalies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kientao.core.models import AuditEntry, User
from tests.challenges.test_access import ANON, ORGANISERS, PERSONAS, expected


@pytest.fixture
def voting(world: Any) -> Any:
    now = timezone.now()
    world.challenge.peoples_choice = True
    world.challenge.voting_opens_at = now - timedelta(days=1)
    world.challenge.voting_closes_at = now + timedelta(days=1)
    world.challenge.save()
    return world


def _vote(client: Any, submission: Any, **extra: Any) -> Any:
    return client.post(reverse("challenges:vote", args=["nhua"]), {"submission": submission.pk}, **extra)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_voting_pages(voting: Any, personas: Any, as_user: Any, persona: str) -> None:
    client = as_user(None if persona == ANON else getattr(personas, persona))
    assert client.get(reverse("challenges:vote", args=["nhua"])).status_code == 200
    report = client.get(reverse("challenges:vote_report", args=["nhua"]))
    assert report.status_code == expected(ORGANISERS)[persona]


def test_it_hides_the_voting_page_when_people_s_choice_is_off(world: Any, as_user: Any) -> None:
    assert as_user(None).get(reverse("challenges:vote", args=["nhua"])).status_code == 404


def test_it_records_one_vote_per_verified_account_with_a_hashed_address(
    voting: Any, personas: Any, as_user: Any
) -> None:
    from kientao.challenges.models import PublicVote

    anonymous = _vote(as_user(None), voting.submission)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client = as_user(personas.participant)
    assert _vote(client, voting.submission, REMOTE_ADDR="203.0.113.7").status_code == 302
    vote = PublicVote.objects.get()
    assert vote.user == personas.participant and len(vote.address_hash) == 64
    assert "203.0.113.7" not in vote.address_hash
    assert AuditEntry.objects.filter(action="challenges.cast_public_vote").exists()
    assert _vote(client, voting.submission).status_code == 409
    assert PublicVote.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicVote.objects.create(challenge=voting.challenge, submission=voting.submission,
                                  user=personas.participant)
    assert "You voted for S-0001" in client.get(reverse("challenges:vote", args=["nhua"])).content.decode()


def test_it_refuses_unverified_accounts_closed_windows_and_bad_choices(
    voting: Any, personas: Any, as_user: Any
) -> None:
    from kientao.challenges.models import PublicVote, Submission

    unverified = User.objects.create_user(email="new@example.net", password="x", email_confirmed=False)
    assert _vote(as_user(unverified), voting.submission).status_code == 403
    client = as_user(personas.outsider)
    for bad in ({"submission": "abc"}, {"submission": "999999"}, {}):
        assert client.post(reverse("challenges:vote", args=["nhua"]), bad).status_code == 400
    draft = Submission.objects.create(challenge=voting.challenge, applicant=personas.participant, number=7,
                                      title="Draft", status="draft")
    assert _vote(client, draft).status_code == 400
    voting.challenge.voting_closes_at = timezone.now() - timedelta(minutes=1)
    voting.challenge.save()
    assert _vote(client, voting.submission).status_code == 400
    assert not PublicVote.objects.exists()


def test_it_rate_limits_per_account_and_per_address(voting: Any, personas: Any, as_user: Any) -> None:
    from kientao.challenges import peoples_choice

    client = as_user(personas.outsider)
    codes = [client.post(reverse("challenges:vote", args=["nhua"]), {"submission": "x"}).status_code
             for _ in range(peoples_choice.ACCOUNT_LIMIT[0] + 1)]
    assert codes[:-1] == [400] * peoples_choice.ACCOUNT_LIMIT[0] and codes[-1] == 429
    addr = {"REMOTE_ADDR": "198.51.100.9"}
    statuses = []
    for i in range(peoples_choice.ADDRESS_LIMIT[0] + 1):
        user = User.objects.create_user(email=f"v{i}@example.net", password="x", email_confirmed=True)
        statuses.append(_vote(as_user(user), voting.submission, **addr).status_code)
    assert statuses[:-1] == [302] * peoples_choice.ADDRESS_LIMIT[0] and statuses[-1] == 429


def test_it_reports_spikes_new_accounts_and_repeated_addresses(
    voting: Any, personas: Any, as_user: Any
) -> None:
    from kientao.challenges import analysis
    from kientao.challenges.models import PublicVote

    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=12)
    old = timezone.now() - timedelta(days=30)
    votes = []
    for hour in range(12):
        n = 40 if hour == 6 else 2
        for k in range(n):
            spike = hour == 6
            user = User.objects.create_user(email=f"u{hour}-{k}@example.net", password="x",
                                            email_confirmed=True)
            at = start + timedelta(hours=hour, minutes=k)
            User.objects.filter(pk=user.pk).update(date_joined=at - timedelta(hours=1) if spike else old)
            votes.append(PublicVote(challenge=voting.challenge, submission=voting.submission, user=user,
                                    address_hash="a" * 64 if spike else f"{hour}{k}".ljust(64, "0"),
                                    created_at=at))
    PublicVote.objects.bulk_create(votes)
    report = analysis.vote_anomalies(voting.challenge)
    assert report["n_votes"] == 62 and report["median"] == 2 and report["mad"] == 0
    assert [h["votes"] for h in report["hours"] if h["spike"]] == [40]
    assert report["n_new"] == 40 and report["new_share"] == pytest.approx(40 / 62, abs=1e-4)
    assert report["addresses"] == [{"address": "a" * 12, "votes": 40}]
    html = as_user(personas.organiser).get(reverse("challenges:vote_report", args=["nhua"])).content.decode()
    assert "aaaaaaaaaaaa" in html and 'badge bad">Spike' in html and "<svg" in html
    assert analysis.vote_anomalies(voting.challenge.__class__.objects.create(
        organisation=voting.challenge.organisation, slug="empty", title="E", closes_at=start,
        judging_at=start, final_at=start, accelerator_at=start, closed_at=start))["n_votes"] == 0


def test_it_validates_the_voting_window_in_the_settings(voting: Any, personas: Any, as_user: Any) -> None:
    from kientao.challenges.forms import ChallengeForm

    form = ChallengeForm(instance=voting.challenge)
    data = {name: form.initial.get(name) for name in form.fields}
    data.update({k: v.strftime("%Y-%m-%dT%H:%M") for k, v in data.items() if hasattr(v, "strftime")})
    data = {k: v for k, v in data.items() if v is not None}
    data["peoples_choice"] = "on"
    data["voting_opens_at"] = "2026-06-02T00:00"
    data["voting_closes_at"] = "2026-06-01T00:00"
    response = as_user(personas.organiser).post(reverse("challenges:edit", args=["nhua"]), data)
    assert response.status_code == 400 and "The vote must close after it opens." in response.content.decode()
