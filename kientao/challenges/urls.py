from django.urls import path

from kientao.challenges import accelerator, peoples_choice, views

app_name = "challenges"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<slug:org>/", views.create, name="create"),
    path("judging/", views.my_assignments, name="my_assignments"),
    path("judging/<int:pk>/", views.assignment, name="assignment"),
    path("judging/<int:pk>/conflict/", views.conflict, name="conflict"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("submissions/<int:pk>/screen/", views.screen, name="screen"),
    path("submissions/<int:pk>/decide/", views.decide, name="decide"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("c/<slug:slug>/", views.detail, name="detail"),
    path("c/<slug:slug>/apply/", views.apply, name="apply"),
    path("c/<slug:slug>/manage/", views.manage, name="manage"),
    path("c/<slug:slug>/edit/", views.edit, name="edit"),
    path("c/<slug:slug>/form/", views.form_builder, name="form_builder"),
    path("c/<slug:slug>/form/<int:pk>/delete/", views.field_delete, name="field_delete"),
    path("c/<slug:slug>/rubric/", views.rubric, name="rubric"),
    path("c/<slug:slug>/rubric/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("c/<slug:slug>/judges/", views.judges, name="judges"),
    path("c/<slug:slug>/judges/<int:pk>/remove/", views.judge_remove, name="judge_remove"),
    path("c/<slug:slug>/assign/", views.assign, name="assign"),
    path("c/<slug:slug>/reminders/", views.reminders, name="reminders"),
    path("c/<slug:slug>/screening/", views.screening, name="screening"),
    path("c/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("c/<slug:slug>/ranking/", views.ranking, name="ranking"),
    path("c/<slug:slug>/export/<str:what>.<str:fmt>", views.export, name="export"),
    path("c/<slug:slug>/cohorts/", accelerator.cohorts, name="cohorts"),
    path("cohorts/<int:pk>/", accelerator.cohort, name="cohort"),
    path("cohorts/<int:pk>/export.<str:fmt>", accelerator.cohort_export, name="cohort_export"),
    path("cohorts/<int:pk>/teams/<int:sub>/", accelerator.team, name="team"),
    path("c/<slug:slug>/vote/", peoples_choice.vote, name="vote"),
    path("c/<slug:slug>/votes/", peoples_choice.vote_report, name="vote_report"),
]
