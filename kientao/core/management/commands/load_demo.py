from typing import Any

from django.core.management.base import BaseCommand

from kientao.core import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        context = demo.load()
        if not quiet:
            self.stdout.write(f"Demo data ready: {context.city_lab.name}, {context.science_department.name}")
            for line in context.log:
                self.stdout.write(f"  {line}")
