"""Settings of the benchmark's own gunicorn process: the project's settings plus one unfiltered endpoint.

`manage.py bench_access` starts gunicorn with these settings on 127.0.0.1 to compare the API's case
list with the same list unfiltered. Nothing else uses them, so the endpoint never exists otherwise.
"""

from casemgmt.settings import *  # noqa: F403

ROOT_URLCONF = "grants.bench.urls"
