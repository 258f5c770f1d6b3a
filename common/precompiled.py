"""A fixed-shape statement of the ORM compiled once per process, then run with new values.

For a small statement, building the queryset and compiling its SQL costs more than running it:
the workspace middleware's lookup of the membership with its workspace, role and user (on every
page) took about 0.55 ms of CPU to build and compile and 0.1 ms to run. Such a statement is built
once with a marker value for each parameter, compiled, and its SQL reused with each call's values
in the markers' places. The rows become instances through Django's own ``ModelIterable``
(``select_related``, the fields' converters), so a call returns what the queryset would.

Only for querysets whose SQL depends on nothing but these values: compiled and run outside any
django-scopes scope (a scoped manager would compile a scope's tenant in, and a call inside a scope
would not be filtered to it), for ``str`` and ``int`` values that the fields bind unchanged (no
normalising ``get_prep_value``; an integer lookup's out-of-range check, which empties the
queryset, is not made: a key lookup such as ``user_id`` has none).
"""

import copy
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django_scopes import get_scope


class Precompiled:
    def __init__(self, build: Callable[..., QuerySet], **markers: str | int):
        """``build(**values)`` returns the queryset; ``markers`` gives each value's name a marker:
        of the values' type, and equal to no other parameter of the statement."""
        for name, marker in markers.items():
            if type(marker) not in (str, int):
                raise ImproperlyConfigured(f"Precompiled marker {name!r}: only str and int are bound as they are.")
        self._build = build
        self._markers = markers
        self._compiled = None  # (queryset, compiler, sql, params, slots), on the first call

    def _compile(self):
        queryset = self._build(**self._markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = {}
        for name, marker in self._markers.items():
            # ``True == 1``: a boolean parameter is not an integer marker.
            found = [i for i, value in enumerate(params) if type(value) is type(marker) and value == marker]
            if len(found) != 1:
                raise ImproperlyConfigured(f"Precompiled marker {name!r} is bound {len(found)} times, not once.")
            slots[name] = found[0]
        return queryset, compiler, sql, tuple(params), slots

    def __call__(self, **values) -> list:
        if values.keys() != self._markers.keys():
            raise TypeError(f"Precompiled statement takes {sorted(self._markers)}, got {sorted(values)}.")
        for name, value in values.items():
            if type(value) is not type(self._markers[name]):
                raise TypeError(f"{name}: {type(value).__name__}, not {type(self._markers[name]).__name__}.")
        if get_scope().get("_enabled", True):
            raise ImproperlyConfigured("A precompiled statement runs outside any scope (in scopes_disabled()).")
        if self._compiled is None:
            self._compiled = self._compile()
        queryset, compiled, sql, params, slots = self._compiled
        bound = list(params)
        for name, slot in slots.items():
            bound[slot] = values[name]
        # A copy per call, answering with the SQL compiled once (its select list and related
        # classes are the first compile's), on this thread's connection (a threaded server's
        # threads each have theirs).
        compiler = copy.copy(compiled)
        compiler.connection = connections[queryset.db]
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(bound))
        run = queryset._chain()
        run.query.get_compiler = lambda *args, **kwargs: compiler
        return list(ModelIterable(run))
