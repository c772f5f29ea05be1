from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "kientao.conversations"
    label = "conversations"
