"""A gunicorn server with several worker processes on 127.0.0.1, serving the test database.

The scenarios that need every worker to see a change at once, or requests that truly run in
parallel, use it. It needs PostgreSQL, because SQLite's test database lives in memory.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from rest_framework.authtoken.models import Token

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8170, 8180)  # The ports given to these tests.
WORKERS = 3
START_TIMEOUT_SECONDS = 60
CSRF_TOKEN = "s" * 32  # Any 32 letters form a valid unmasked CSRF secret.


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}. Stop the servers that use them.")


def test_database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class MultiWorkerServer:
    """Run gunicorn with WORKERS sync workers; stop it with `stop()`."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DJANGO_SETTINGS_MODULE": "casemgmt.test_settings",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        command = [
            sys.executable, "-m", "gunicorn",
            "--workers", str(WORKERS),
            "--bind", f"127.0.0.1:{self.port}",
            "--log-level", "warning",
            "tests.scenarios.worker_wsgi:application",
        ]
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
        self._wait_until_ready()

    def _wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode} on port {self.port}.")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not listen on port {self.port} within {START_TIMEOUT_SECONDS} s.")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def worker(self):
        return self.headers.get("X-Worker-Pid")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class LiveClient:
    """Send requests to the live server with a user's API token or browser session."""

    def __init__(self, server, user, auth="token"):
        self.server = server
        self.headers = {}
        if auth == "token":
            token, _created = Token.objects.get_or_create(user=user)
            self.headers["Authorization"] = f"Token {token.key}"
        else:
            self.headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session_key_for(user)}; csrftoken={CSRF_TOKEN}"
            self.headers["X-CSRFToken"] = CSRF_TOKEN

    def request(self, method, path, data=None, form=False):
        headers = dict(self.headers)
        body = None
        if data is not None and form:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF_TOKEN}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.server.url + path, data=body, headers=headers, method=method.upper())
        try:
            with _opener.open(request, timeout=30) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())


def session_key_for(user):
    """Store a signed-in session of `user` as the login view would, and return its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
