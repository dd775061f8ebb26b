"""pytest plugin for the PostgreSQL pass: keep only the tests that touch the database, less the
browser tests.

A browser test drives the same views and services as the view and service tests, which this pass
runs on PostgreSQL; what it adds is the page in Chromium (layout, scripts, forms), which does not
depend on the database, and it is the slowest kind of test. The browser tests run once, in the
SQLite pass.
"""

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & set(item.fixturenames))
        in_browser = item.get_closest_marker("browser") is not None or "browser" in item.fixturenames
        (keep if uses_db and not in_browser else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
