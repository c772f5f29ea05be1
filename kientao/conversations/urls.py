from django.urls import path

from kientao.conversations import views, views_import

app_name = "conversations"

urlpatterns = [
    path("", views.index, name="index"),
    path("o/<str:org_slug>/new/", views.create, name="create_conversation"),
    path("o/<str:org_slug>/import/", views_import.import_polis, name="import_conversation"),
    path("<str:public_id>/", views.vote, name="vote"),
    path("<str:public_id>/embed/", views.embed, name="embed"),
    path("<str:public_id>/embed/vote/", views.embed_cast, name="embed_cast_vote"),
    path("<str:public_id>/embed/resume/", views.embed_resume, name="embed_resume"),
    path("<str:public_id>/embed/statement/", views.embed_add_statement, name="embed_add_statement"),
    path("<str:public_id>/embed/about-you/", views.embed_about_you, name="embed_about_you"),
    path("<str:public_id>/vote/", views.cast, name="cast_vote"),
    path("<str:public_id>/statement/", views.add_statement, name="add_statement"),
    path("<str:public_id>/about-you/", views.about_you, name="about_you"),
    path("<str:public_id>/manage/", views.manage, name="manage"),
    path("<str:public_id>/edit/", views.edit, name="edit_conversation"),
    path("<str:public_id>/moderate/", views.moderate, name="moderate"),
    path("<str:public_id>/analyse/", views.analyse, name="start_analysis"),
    path("<str:public_id>/publish/", views.publish, name="publish_report"),
    path("<str:public_id>/report/", views.report, name="report"),
    path("<str:public_id>/report/polis.zip", views.export_polis, name="export_polis"),
    path("<str:public_id>/report/<str:table>.<str:fmt>", views.export, name="export_table"),
]
