import pytest


@pytest.fixture(scope="package")
def demo_county(django_db_setup, django_db_blocker):
    """The small demo county (seed 3), built once for every module of this package and rolled back
    after the last (each test's own writes roll back at its end, inside this transaction)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        from huanjie.demo.county import build_demo

        with transaction.atomic():
            yield build_demo(seed=3, size="small")
            transaction.set_rollback(True)
