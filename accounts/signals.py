"""Every login is tracked as a user session, so that leaving the company can end them all.

allauth records sessions for its own logins; logins through Django's ``login()`` (the
invitation link, the test client) are recorded here as well.
"""

from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def track_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    user_agent_length = UserSession._meta.get_field("user_agent").max_length
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip": request.META.get("REMOTE_ADDR") or "0.0.0.0",  # noqa: S104 (an address, not a bind)
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:user_agent_length],
        },
    )
