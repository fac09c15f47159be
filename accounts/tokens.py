"""One-time invitation links: the token dies when the password is set or the user logs in."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "kervan.accounts.invitation"


invitation_token = InvitationTokenGenerator()
