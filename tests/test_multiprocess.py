"""No stale access across processes: two gunicorn servers share the test database, and a revoke made
in a third process (the test) is refused by both on their next request.

The servers use the test settings and the test run's PostgreSQL database, whose rows the test commits
(transactional_db). They listen on 127.0.0.1, on free ports of 8150-8159.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from grants import services
from grants.levels import Level

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent
PORTS = range(8150, 8160)
PASSWORD = "secret-pass-123"  # The password that tests.factories.UserFactory sets.
START_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30


def free_ports(count):
    ports = []
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                ports.append(port)
        if len(ports) == count:
            return ports
    pytest.fail(f"fewer than {count} free ports in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1")


def database_url():
    """Return the URL of the test run's database, as the servers' DATABASE_URL."""
    settings = connection.settings_dict
    user = urllib.parse.quote(settings["USER"] or "")
    password = urllib.parse.quote(settings["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{credentials}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def start_server(port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgmt.test_settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "60",  # Persistent connections, as in production, must not serve stale levels either.
    }
    command = [
        sys.executable, "-m", "gunicorn", "casemgmt.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
    ]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_until_serving(process, base_url):
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server {base_url} exited with {process.returncode}: {process.stdout.read().decode()}")
        try:
            urllib.request.urlopen(base_url + reverse("login"), timeout=REQUEST_TIMEOUT_SECONDS)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail(f"server {base_url} did not answer within {START_TIMEOUT_SECONDS} s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def servers(transactional_db):
    """Start two gunicorn servers on the test database and return their base URLs."""
    ports = free_ports(2)
    processes = [start_server(port) for port in ports]
    try:
        base_urls = [f"http://127.0.0.1:{port}" for port in ports]
        for process, base_url in zip(processes, base_urls):
            wait_until_serving(process, base_url)
        yield base_urls
    finally:
        for process in processes:
            stop(process)


class Browser:
    """A cookie-keeping HTTP client that follows no redirects, so each status is seen as sent."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect)

    def request(self, url, data=None):
        encoded = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, encoded, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, base_url, username):
        status, page = self.request(base_url + reverse("login"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        status, _page = self.request(base_url + reverse("login"), form)
        assert status == 302, f"login of {username} on {base_url} returned {status}"


def test_revoke_refused_by_every_process(servers, manager, user, definition, case):
    services.grant(manager, user, definition, Level.READ)
    browser = Browser()
    browser.log_in(servers[0], user.username)  # One session, used on both servers.
    case_path = reverse("case-detail", args=[case.pk])

    for base_url in servers:
        status, page = browser.request(base_url + case_path)
        assert status == 200, base_url
        assert case.number in page

    services.revoke(manager, user, definition)

    for base_url in servers:
        status, _page = browser.request(base_url + case_path)
        assert status == 404, base_url


def test_revoke_empties_every_process_list(servers, manager, user, definition, case):
    services.grant(manager, user, definition, Level.READ)
    browser = Browser()
    browser.log_in(servers[1], user.username)
    list_path = reverse("my-cases")
    for base_url in servers:
        status, page = browser.request(base_url + list_path)
        assert case.number in page, base_url

    services.revoke(manager, user, definition)

    for base_url in servers:
        status, page = browser.request(base_url + list_path)
        assert status == 200, base_url
        assert case.number not in page, base_url
