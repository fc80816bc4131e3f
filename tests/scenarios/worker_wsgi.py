"""The project's WSGI application, with the handling worker's process id in an X-Worker-Pid header.

The multi-worker scenarios read the header to check that every worker process has handled a request.
"""

import os

from casemgmt.wsgi import application as django_application


def application(environ, start_response):
    def start_with_pid(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Worker-Pid", str(os.getpid()))], exc_info)

    return django_application(environ, start_with_pid)
