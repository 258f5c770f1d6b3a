"""Registry for the generic isolation test (tests/test_isolation.py).

The test walks every URL pattern under /w/<tenant_slug>/. A pattern with other keyword arguments
(``plan_id``, ``membership_id`` …) needs an object of that kind in the victim tenant: register a
factory for each keyword with ``@provides("plan_id")`` in ``tests/<app>/isolation.py``; it gets
the tenant and returns the value to put in the URL. A keyword nobody provides fails the test, so a
new view cannot slip by untested.
"""

from collections.abc import Callable

KWARG_FACTORIES: dict[str, Callable] = {}


def provides(*kwargs: str):
    def decorator(func: Callable) -> Callable:
        for name in kwargs:
            KWARG_FACTORIES[name] = func
        return func

    return decorator
