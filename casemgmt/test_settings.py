"""Settings for the test suite: the project's settings with a fast password hasher."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECURE_SSL", "0")

from casemgmt.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
