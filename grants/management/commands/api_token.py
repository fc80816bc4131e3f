"""Issue or revoke the REST API token of a user.

    manage.py api_token issue <username> [--rotate]
    manage.py api_token revoke <username>

A user has at most one token (rest_framework.authtoken). `issue` prints the existing token unless
`--rotate` replaces it; `revoke` deletes it, so that requests with it get 401 from then on.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Issue or revoke the REST API token of a user."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{issue,revoke}")
        issue = actions.add_parser("issue", help="Print the user's token, creating it if the user has none.")
        issue.add_argument("username")
        issue.add_argument(
            "--rotate", action="store_true", help="Replace an existing token with a new one; the old one stops working."
        )
        revoke = actions.add_parser("revoke", help="Delete the user's token.")
        revoke.add_argument("username")

    def handle(self, *args, action, username, **options):
        user = self._find_user(username)
        if action == "issue":
            self._issue(user, rotate=options["rotate"])
        else:
            self._revoke(user)

    def _find_user(self, username):
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {username!r} exists. Check the username.") from None

    def _issue(self, user, rotate):
        if not user.is_active:
            raise CommandError(
                f"User {user.get_username()!r} is inactive, so a token would not authenticate. "
                "Activate the user first."
            )

        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            logger.info("Issued an API token for user %s (id %s).", user.get_username(), user.pk)
        self.stdout.write(token.key)

    def _revoke(self, user):
        deleted, _details = Token.objects.filter(user=user).delete()
        if not deleted:
            raise CommandError(f"User {user.get_username()!r} has no API token, so there is nothing to revoke.")
        logger.info("Revoked the API token of user %s (id %s).", user.get_username(), user.pk)
        self.stdout.write(self.style.SUCCESS(f"Revoked the API token of {user.get_username()}."))
