from django.apps import AppConfig


class IndicesConfig(AppConfig):
    name = "kientao.indices"
    label = "indices"
