"""Load-test the API's case list with wrk, against gunicorn on 127.0.0.1, filtered and unfiltered.

The benchmark starts its own gunicorn with `grants.bench.settings`, which adds the unfiltered copy of
the list, runs wrk for a fixed number of seconds on each endpoint in turn, and stops gunicorn.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from rest_framework.authtoken.models import Token

FILTERED_PATH = "/api/cases/"
UNFILTERED_PATH = "/bench/unfiltered-cases/"
STARTUP_SECONDS = 30


class LoadTestError(Exception):
    """The load test could not run: wrk or gunicorn missing, the server not starting, or a bad response."""


@dataclass(frozen=True)
class LoadFigure:
    """Throughput and latency of one endpoint in one wrk run."""

    path: str
    requests_per_second: float
    median_ms: float
    p99_ms: float
    requests: int

    def line(self):
        return (
            f"{self.path:<28} {self.requests_per_second:>10.1f} req/s  median {self.median_ms:>8.1f} ms  "
            f"p99 {self.p99_ms:>8.1f} ms  {self.requests:>7,} requests"
        )


def run(user, port, seconds, connections, rounds, write):
    """Measure both endpoints `rounds` times each, alternating, and return the figures in order."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadTestError("wrk is not installed. Install it (Debian: apt-get install -y wrk) or pass --skip-load.")
    token = Token.objects.get_or_create(user=user)[0].key
    server = _start_gunicorn(port)
    try:
        base = f"http://127.0.0.1:{port}"
        for path in (FILTERED_PATH, UNFILTERED_PATH):
            write(f"  {path}: {_check(base + path, token)} cases in all for {user.get_username()}")
        figures = []
        for _round in range(rounds):
            for path in (FILTERED_PATH, UNFILTERED_PATH):
                figure = _wrk(wrk, base + path, token, seconds, connections)
                write("  " + figure.line())
                figures.append(figure)
        return figures
    finally:
        _stop(server)


def _start_gunicorn(port):
    database = settings.DATABASES["default"]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grants.bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL": "0",
        "DATABASE_URL": _database_url(database),
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "casemgmt.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(os.cpu_count() or 1), "--log-level", "warning",
    ]
    server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, start_new_session=True)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadTestError(f"gunicorn exited with status {server.returncode} before serving on port {port}.")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return server
        except OSError:
            time.sleep(0.5)
    _stop(server)
    raise LoadTestError(f"gunicorn did not accept connections on 127.0.0.1:{port} within {STARTUP_SECONDS} s.")


def _database_url(database):
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


def _stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _check(url, token):
    """Fetch the first page once and return its count of cases. Raise LoadTestError on any other response."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        raise LoadTestError(f"GET {url} responded with status {error.code}, expected 200.") from None
    except OSError as error:
        raise LoadTestError(f"GET {url} failed: {error}. Check the gunicorn output above.") from None
    if len(body.get("results", [])) == 0:
        raise LoadTestError(f"GET {url} returned no cases, so the load test would measure nothing.")
    return body["count"]


def _wrk(wrk, url, token, seconds, connections):
    command = [wrk, "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
               "-H", f"Authorization: Token {token}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    if "Non-2xx or 3xx responses" in output:
        raise LoadTestError(f"wrk got error responses from {url}:\n{output}")
    return LoadFigure(
        path="/" + url.split("/", 3)[3],
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        median_ms=_latency(output, "50%"),
        p99_ms=_latency(output, "99%"),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
    )


def _latency(output, percentile):
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
