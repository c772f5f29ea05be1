from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kientao.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from kientao.core import signals  # noqa: F401  (connects receivers)
