from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "kientao.challenges"
    label = "challenges"
