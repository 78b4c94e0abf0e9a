"""manage.py ensure_demo_admin — a local admin login for the demo run; refuses without DEBUG."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the local demo superuser admin/portcullis-demo (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("refusing to create a demo admin with DEBUG off")
        user_model = get_user_model()
        if user_model.objects.filter(username="admin").exists():
            self.stdout.write("demo admin already exists")
            return
        user_model.objects.create_superuser("admin", "admin@localhost", "portcullis-demo")
        self.stdout.write(self.style.SUCCESS("created demo admin: admin / portcullis-demo"))
