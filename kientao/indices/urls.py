from django.urls import path

from kientao.indices import views

app_name = "indices"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.download_template, name="download_template"),
    path("public/<str:token>/", views.public_results, name="public_results"),
    path("answer/<str:token>/", views.survey_answer, name="survey_answer"),
    path("o/<slug:slug>/", views.org_index, name="org_index"),
    path("o/<slug:slug>/import/", views.import_framework, name="import_framework"),
    path("o/<slug:slug>/f/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("o/<slug:slug>/f/<int:pk>/elements/<int:element_pk>/", views.edit_element, name="edit_element"),
    path("o/<slug:slug>/f/<int:pk>/elements/add/", views.add_element, name="add_element"),
    path("o/<slug:slug>/f/<int:pk>/elements/<int:element_pk>/rename/", views.rename_element,
         name="rename_element"),
    path("o/<slug:slug>/f/<int:pk>/elements/<int:element_pk>/delete/", views.delete_element,
         name="delete_element"),
    path("o/<slug:slug>/f/<int:pk>/data/", views.upload_data, name="upload_data"),
    path("o/<slug:slug>/f/<int:pk>/publish/", views.publish, name="publish"),
    path("o/<slug:slug>/f/<int:pk>/build/", views.build_new, name="build_new"),
    path("o/<slug:slug>/f/<int:pk>/trends/", views.trends, name="trends"),
    path("o/<slug:slug>/f/<int:pk>/surveys/new/", views.survey_new, name="survey_new"),
    path("o/<slug:slug>/b/<int:pk>/", views.build_detail, name="build_detail"),
    path("o/<slug:slug>/b/<int:pk>/units/<path:code>/", views.unit_profile, name="unit_profile"),
    path("o/<slug:slug>/b/<int:pk>/audit/", views.build_audit, name="build_audit"),
    path("o/<slug:slug>/b/<int:pk>/uncertainty/", views.build_uncertainty, name="build_uncertainty"),
    path("o/<slug:slug>/b/<int:pk>/export/<str:what>.<str:fmt>", views.build_export, name="build_export"),
    path("o/<slug:slug>/s/<int:pk>/", views.survey_detail, name="survey_detail"),
]
