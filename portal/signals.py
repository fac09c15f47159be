"""A staff login ends the portal session of the same browser: one identity per session."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.auth import SESSION_KEYS


@receiver(user_logged_in, dispatch_uid="portal-end-session-on-staff-login")
def end_portal_session(sender, request, user, **kwargs):
    if request is None:
        return
    for key in SESSION_KEYS:
        request.session.pop(key, None)
    request.portal_user = None
