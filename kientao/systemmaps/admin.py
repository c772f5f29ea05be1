from django.contrib import admin

from kientao.systemmaps.models import Comment, MapVersion, SystemMap


@admin.register(SystemMap)
class SystemMapAdmin(admin.ModelAdmin[SystemMap]):
    list_display = ["title", "organisation", "kind", "shared", "updated_at"]
    list_filter = ["kind", "shared"]
    search_fields = ["title"]


@admin.register(MapVersion)
class MapVersionAdmin(admin.ModelAdmin[MapVersion]):
    list_display = ["map", "number", "author", "created_at"]
    readonly_fields = ["snapshot"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ["map", "subject", "author", "created_at"]
