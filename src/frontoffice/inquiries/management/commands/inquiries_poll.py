"""``frontoffice manage inquiries_poll [--org SLUG]``: read the inquiry mailboxes now (the periodic job does
it every 2 minutes), and say what was taken and what went wrong."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from frontoffice.core.models import Organization
from frontoffice.inquiries.imap import poll
from frontoffice.inquiries.models import Channels


class Command(BaseCommand):
    help = "Read the inquiry mailboxes (IMAP) now: unread messages become inquiries or replies."

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="only this organisation (its slug)")

    def handle(self, *args, org=None, **options):
        channels = (Channels.objects.exclude(imap_host="").select_related("organization")
                    .order_by("organization_id"))
        if org:
            if not Organization.objects.filter(slug=org).exists():
                raise CommandError(f"no organisation {org!r}")
            channels = channels.filter(organization__slug=org)
            if not channels:
                raise CommandError(f"{org}: no mailbox is set up (Inquiries > Settings > Channels)")
        failed = 0
        for row in channels:
            taken = poll(row.organization)
            row.refresh_from_db(fields=["last_error"])
            self.stdout.write(f"{row.organization.slug}: {taken} message(s) taken")
            if row.last_error:
                failed += 1
                self.stderr.write(f"{row.organization.slug}: {row.last_error}")
        if failed:
            raise CommandError(f"{failed} mailbox(es) had errors")
