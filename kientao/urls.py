"""Root URLs: one ``include()`` per app (explicit, no discovery)."""

from django.contrib import admin
from django.urls import include, path

from kientao.api import api

urlpatterns = [
    path("api/", api.urls),  # first: the busiest path (votes) resolves without trying the others
    path("", include("kientao.core.urls")),
    path("challenges/", include("kientao.challenges.urls")),
    path("conversations/", include("kientao.conversations.urls")),
    path("maps/", include("kientao.systemmaps.urls")),
    path("indices/", include("kientao.indices.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "kientao.core.views.error_400"
handler403 = "kientao.core.views.error_403"
handler404 = "kientao.core.views.error_404"
handler500 = "kientao.core.views.error_500"
