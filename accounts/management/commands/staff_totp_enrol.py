"""``manage.py staff_totp_enrol USER``: give a staff member an authenticator-app device (TOTP).

Prints the ``otpauth://`` address as a QR code in the terminal and as text, for the person to scan or type
into their app. With ``OOTS_STAFF_OTP_REQUIRED`` on, staff can use the admin only once a code from that app
confirms their password. ``--replace`` removes the user's existing devices first (a lost phone).
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Enrol an authenticator app (TOTP) for a staff member; prints the QR code to scan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="authenticator", help="A name for the device (shown in the admin)."
        )
        parser.add_argument("--replace", action="store_true", help="Remove the user's existing TOTP devices.")
        parser.add_argument("--no-qr", action="store_true", help="Print the address only.")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist as exc:
            raise CommandError(f"no user {options['username']!r}") from exc
        if not user.is_staff:
            raise CommandError(f"{options['username']!r} is not staff: only staff use the admin")
        with transaction.atomic():
            if options["replace"]:
                TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name=options["name"], confirmed=True)
        if not options["no_qr"]:
            buffer = io.StringIO()
            segno.make(device.config_url, error="m").terminal(out=buffer, compact=True)
            self.stdout.write(buffer.getvalue())
        self.stdout.write(device.config_url)
        self.stdout.write(
            self.style.SUCCESS(
                f"Device {device.name!r} enrolled for {user.get_username()}: scan the code (or type the "
                "address) into an authenticator app; the admin then asks for its 6-digit code at each login."
            )
        )
