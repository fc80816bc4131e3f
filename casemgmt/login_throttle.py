"""Throttling of failed logins, per user name and per client address, with django-axes."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LoginThrottleBackend(AxesStandaloneBackend):
    """Reject logins from a user name or address that failed too often. It never authenticates a user itself.

    Logins without a request, such as the test client's `login()` or a shell, are let through to the
    next backend, because they have no client address to throttle.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request):
    """Return the client's IP address: the one the TLS proxy appended when BEHIND_TLS_PROXY=1.

    Only the last X-Forwarded-For entry is taken, because earlier entries come from the client and can
    be forged. This assumes exactly one proxy in front of the application.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last_hop = forwarded.rsplit(",", 1)[-1].strip()
        if last_hop:
            return last_hop
    return request.META.get("REMOTE_ADDR")
