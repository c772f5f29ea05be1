from django.apps import AppConfig


class SystemmapsConfig(AppConfig):
    name = "kientao.systemmaps"
    label = "systemmaps"
