from django.contrib import admin

from kientao.challenges.models import Challenge, Submission


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin[Challenge]):
    list_display = ["title", "organisation", "is_published", "closes_at"]
    search_fields = ["title", "slug"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = ["number", "title", "challenge", "status"]
    list_filter = ["status"]
