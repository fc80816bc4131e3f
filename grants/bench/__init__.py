"""The access benchmark behind `manage.py bench_access`: dataset, measurements and load test."""
