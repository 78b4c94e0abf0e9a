"""`manage.py doctor`: list configuration problems a deployer should fix; exit 1 if any."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from config.doctor import configuration_problems, deploy_check_problems, probe_services


class Command(BaseCommand):
    help = (
        "Print configuration problems a deployer should fix (settings, Django's deploy checks, "
        "reachability of database, cache, broker and SMTP). Exits 1 if any is found."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--offline",
            action="store_true",
            help="Only read the settings; do not try to reach database, cache, broker or SMTP.",
        )

    def handle(self, *args, offline: bool = False, **options):
        problems = configuration_problems(
            settings, secret_key_from_env=bool(os.environ.get("SECRET_KEY"))
        )
        problems += deploy_check_problems()
        if not offline:
            problems += probe_services(settings)

        if not problems:
            self.stdout.write(self.style.SUCCESS("No problems found."))
            return
        for problem in problems:
            self.stdout.write(self.style.ERROR(f"✗ {problem.area}: ") + problem.message)
            self.stdout.write(f"    fix: {problem.fix}")
        self.stdout.write(f"\n{len(problems)} problem(s) found.")
        raise SystemExit(1)
