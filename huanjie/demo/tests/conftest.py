import pytest


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker):
    """The small demo county (seed 3), built once per test module and rolled back after it."""
    with django_db_blocker.unblock():
        from django.db import transaction

        from huanjie.demo.county import build_demo

        with transaction.atomic():
            build_demo(seed=3, size="small")
            yield
            transaction.set_rollback(True)
