"""The project's WSGI application, with headers that name the server and the worker that handled a request.

X-Worker-Pid lets the multi-worker scenarios check that every worker process has handled a request.
X-Server-Id repeats SCENARIO_SERVER_ID, so that a test never reads the replies of a server it did not start.
"""

import os

from casemgmt.wsgi import application as django_application


def application(environ, start_response):
    def start_with_pid(status, headers, exc_info=None):
        added = [("X-Worker-Pid", str(os.getpid())), ("X-Server-Id", os.environ.get("SCENARIO_SERVER_ID", ""))]
        return start_response(status, [*headers, *added], exc_info)

    return django_application(environ, start_with_pid)
