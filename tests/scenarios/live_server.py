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
import uuid
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
START_ATTEMPTS = 5  # Other test runs may take a port between the probe and gunicorn's bind.
CSRF_TOKEN = "s" * 32  # Any 32 letters form a valid unmasked CSRF secret.


def free_port(skipped=()):
    for port in PORTS:
        if port in skipped:
            continue
        with socket.socket() as probe:
            # gunicorn binds with SO_REUSEADDR, so a port left in TIME_WAIT by a stopped server is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}. Stop the servers that use them.")


def database_url_of_tests():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class MultiWorkerServer:
    """Run gunicorn with WORKERS sync workers; stop it with `stop()`."""

    def __init__(self):
        self.server_id = uuid.uuid4().hex
        tried = []
        for _attempt in range(START_ATTEMPTS):
            self.port = free_port(skipped=tried)
            self.url = f"http://127.0.0.1:{self.port}"
            self.process = subprocess.Popen(self._command(), cwd=PROJECT_ROOT, env=self._environment())
            if self._wait_until_ready():
                return
            self.stop()
            tried.append(self.port)
        raise RuntimeError(f"gunicorn did not start on any of ports {tried}. Stop the servers that use them.")

    def _environment(self):
        return {
            **os.environ,
            "DATABASE_URL": database_url_of_tests(),
            "DJANGO_SETTINGS_MODULE": "casemgmt.test_settings",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SCENARIO_SERVER_ID": self.server_id,
        }

    def _command(self):
        return [
            sys.executable, "-m", "gunicorn",
            "--workers", str(WORKERS),
            "--bind", f"127.0.0.1:{self.port}",
            "--log-level", "warning",
            "tests.scenarios.worker_wsgi:application",
        ]

    def _wait_until_ready(self):
        """Return True once this server responds on its port, False if it exits or another server responds."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=5) as response:
                    return response.headers.get("X-Server-Id") == self.server_id
            except urllib.error.HTTPError as error:
                return error.headers.get("X-Server-Id") == self.server_id
            except OSError:
                time.sleep(0.2)
        return False

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
                reply = Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, dict(error.headers), error.read())
        assert reply.headers.get("X-Server-Id") == self.server.server_id, "the reply came from another server"
        return reply


def session_key_for(user):
    """Store a signed-in session of `user` as the login view would, and return its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
