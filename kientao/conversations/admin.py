from django.contrib import admin

from kientao.conversations.models import AnalysisRun, Conversation, Statement


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["topic", "organisation", "public_id", "moderation", "report_published", "created_at"]
    list_filter = ["organisation", "report_published"]
    search_fields = ["topic"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin[Statement]):
    list_display = ["text", "conversation", "status", "is_seed", "is_meta", "created_at"]
    list_filter = ["status", "is_seed"]
    search_fields = ["text"]


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin[AnalysisRun]):
    list_display = ["conversation", "computed_at", "n_votes", "n_participants"]
    exclude = ["results", "state"]
