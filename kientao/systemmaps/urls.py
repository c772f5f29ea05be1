from django.urls import path

from kientao.systemmaps import views

app_name = "systemmaps"

urlpatterns = [
    path("", views.index, name="index"),
    path("shared/<int:pk>.svg", views.map_embed, name="map_embed"),
    path("<slug:slug>/", views.map_list, name="map_list"),
    path("<slug:slug>/new/", views.map_create, name="map_create"),
    path("<slug:slug>/import/", views.map_import, name="map_import"),
    path("<slug:slug>/<int:pk>/", views.map_detail, name="map_detail"),
    path("<slug:slug>/<int:pk>/settings/", views.map_edit, name="map_edit"),
    path("<slug:slug>/<int:pk>/replace/", views.map_replace, name="map_replace"),
    path("<slug:slug>/<int:pk>/text/", views.map_text, name="map_text"),
    path("<slug:slug>/<int:pk>/canvas/", views.map_canvas, name="map_canvas"),
    path("<slug:slug>/<int:pk>/canvas/save/", views.map_save, name="map_save"),
    path("<slug:slug>/<int:pk>/analysis/", views.map_analysis, name="map_analysis"),
    path("<slug:slug>/<int:pk>/export/<str:fmt>/", views.map_export, name="map_export"),
    path("<slug:slug>/<int:pk>/tables/<str:table>.<str:fmt>", views.map_table, name="map_table"),
    path("<slug:slug>/<int:pk>/history/", views.map_history, name="map_history"),
    path("<slug:slug>/<int:pk>/history/<int:number>/restore/", views.version_restore,
         name="version_restore"),
    path("<slug:slug>/<int:pk>/factors/<int:factor_pk>/", views.factor_detail, name="factor_detail"),
    path("<slug:slug>/<int:pk>/comments/", views.comment_add, name="comment_add"),
]
