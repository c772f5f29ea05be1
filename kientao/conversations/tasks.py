"""Background work of the conversations app: the (throttled) analysis of a conversation."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from kientao.core.jobs import JobError, running_job


@task()
def analyse_conversation(job_id: str) -> None:
    from kientao.conversations.analysis import run_analysis
    from kientao.conversations.models import Conversation

    with running_job(job_id) as job:
        conversation = Conversation.objects.filter(pk=int(job.params.get("conversation") or 0)).first()
        if conversation is None:
            raise JobError(_("The conversation no longer exists."))
        job.report(5, _("Reading votes"))
        run = run_analysis(conversation, job=job.job, progress=lambda p, m: job.report(5 + p * 0.9, m))
        job.succeed({"analysis": run.pk, "groups": run.results.get("n_groups", 0),
                     "votes": run.n_votes, "participants": run.n_participants})
