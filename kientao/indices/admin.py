from django.contrib import admin

from kientao.indices.models import Build, Element, Framework, Survey, UncertaintyRun, Unit


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin[Framework]):
    list_display = ("name", "organisation", "published")


@admin.register(Element)
class ElementAdmin(admin.ModelAdmin[Element]):
    list_display = ("code", "name", "framework", "level", "type", "weight", "direction")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("code", "name", "framework")


@admin.register(Build)
class BuildAdmin(admin.ModelAdmin[Build]):
    list_display = ("framework", "year", "status", "created_at")


admin.site.register(UncertaintyRun)
admin.site.register(Survey)
