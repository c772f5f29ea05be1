"""The organiser's page that brings a Pol.is export (a ZIP) in as a new conversation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kientao.conversations import actions, polis_import
from kientao.conversations.forms import PolisImportForm
from kientao.conversations.messages import localise
from kientao.core.permissions import Action, organisation_for


@login_required
@require_http_methods(["GET", "POST"])
def import_polis(request: HttpRequest, org_slug: str) -> HttpResponse:
    # Who may create a conversation may import one (the create view's check).
    organisation = organisation_for(request.user, org_slug, Action.ORGANISE)
    limit = polis_import.max_upload_bytes()
    if request.method == "POST":
        form = PolisImportForm(request.POST, request.FILES, max_bytes=limit)
        if form.is_valid():
            upload = form.cleaned_data["export"]
            try:
                data = polis_import.read_export(upload, name=upload.name or "")
                imported = polis_import.import_conversation(
                    data, organisation, request.user,  # type: ignore[arg-type]
                    topic=form.cleaned_data["topic"], language=form.cleaned_data["language"],
                    source=upload.name or "")
            except polis_import.ExportFormatError as exc:
                # The reader's message names the file, row and column at fault (in English:
                # the command line shows it as written; this page in the reader's language).
                form.add_error("export", _("This export cannot be imported: %(error)s") % {
                    "error": localise(str(exc))})
            else:
                messages.success(request, _("Imported: %(statements)d statements, %(participants)d "
                                            "participants, %(votes)d votes.") % {
                    "statements": imported.statements, "participants": imported.participants,
                    "votes": imported.votes,
                })
                conversation = imported.conversation
                # The organiser lands on the manage page with the opinion groups under way.
                actions.start_analysis(conversation, request.user)
                return redirect("conversations:manage", conversation.public_id)
    else:
        form = PolisImportForm(max_bytes=limit)
    status = 400 if form.is_bound else 200
    return render(request, "conversations/import.html", {"form": form, "organisation": organisation},
                  status=status)
