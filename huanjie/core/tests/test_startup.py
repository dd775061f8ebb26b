"""The WSGI application freezes what start-up loaded, so the cyclic collector's full collections
during a county-wide page do not walk Django's and the views' modules again (issue 17)."""

from __future__ import annotations

import gc

import pytest


@pytest.fixture
def unfrozen():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_freeze_loaded_moves_the_loaded_modules_out_of_collection(unfrozen):
    from huanjie.core.startup import freeze_loaded

    frozen = freeze_loaded()
    # A frozen object is still freed when its last reference goes, and other threads of the test
    # process (the browser tests' driver) may drop one between the two reads: a few fewer, never more.
    assert frozen > 10_000 and frozen - 100 <= gc.get_freeze_count() <= frozen
    assert gc.get_threshold()[0] == 10_000  # young collections every 10,000 allocations, not 700
    # What a request makes afterwards is still collected: a cycle built now is freed by a collection.
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    del a, b
    gc.collect()
    assert alive() is None


def test_the_wsgi_module_freezes_on_import(unfrozen):
    import importlib

    import huanjie.wsgi

    gc.unfreeze()
    importlib.reload(huanjie.wsgi)
    assert gc.get_freeze_count() > 10_000
