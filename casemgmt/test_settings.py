"""Settings for the test suite: the project's settings with a fast password hasher."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECURE_SSL", "0")

from casemgmt.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# WhiteNoise warns on every request when STATIC_ROOT is missing; tests serve static files from the
# finders instead, so an empty folder is enough.
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
