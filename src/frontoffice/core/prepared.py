"""Querysets that Django compiles to SQL once per process.

Compiling a queryset costs about a millisecond of CPU, several times what the database spends answering a
lookup by key. Requests that run on every page or every webhook (the session, the member, a token, a visit
to check in) pay that again and again for the same SQL. ``Prepared`` builds the queryset once with sample
arguments, keeps the SQL and where each sample sits among its parameters, and from then on only binds the
real values, runs the statement and builds the model instances the way Django's own iterator does (with
``select_related`` objects and annotations), or the rows of a ``values_list`` queryset.

    _member = Prepared(lambda user_id: Member.objects.select_related("organization")
                       .filter(user_id=user_id, active=True), 2_000_000_001)
    members = _member(user.pk)

Arguments are scalars (numbers, strings, dates and datetimes) used as filter values; each sample must be
a value the query cannot contain by itself (a large number, an odd string). Querysets the SQL of which
depends on the values (``__in`` lists, optional filters) are not for this: build those the usual way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import (FlatValuesListIterable, ModelIterable, ValuesListIterable,
                                     get_related_populators)


class Prepared:
    """A queryset compiled on first use for each database alias; calling it runs it with new values."""

    def __init__(self, build: Callable[..., QuerySet], *samples: Any):
        self.build = build
        self.samples = samples
        self._model = None
        self._plans: dict[str, _Plan] = {}

    def __call__(self, *values: Any) -> list:
        if len(values) != len(self.samples):
            raise TypeError(f"expected {len(self.samples)} values, got {len(values)}")
        if self._model is None:
            self._model = self.build(*self.samples).model
        alias = router.db_for_read(self._model)
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = _Plan(self.build(*self.samples), alias, self.samples)
        return plan.run(values)

    def first(self, *values: Any):
        """The first row or instance, or None (slice the queryset to one row)."""
        found = self(*values)
        return found[0] if found else None


class _Plan:
    """The compiled statement and everything needed to turn its rows into what the queryset returns."""

    def __init__(self, queryset: QuerySet, alias: str, samples: tuple):
        connection = connections[alias]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        self.alias, self.sql, self.params = alias, sql, list(params)
        # For each argument: how to adapt it, and every place its sample takes among the parameters.
        self.slots: list[tuple[Callable[[Any], Any], list[int]]] = []
        for sample in samples:
            adapt = _adapter(sample, connection)
            adapted = adapt(sample)
            places = [i for i, p in enumerate(self.params) if type(p) is type(adapted) and p == adapted]
            if not places:
                raise ValueError(f"the sample {sample!r} is not among the query's parameters")
            self.slots.append((adapt, places))
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        self.converters = list(compiler.get_converters(fields).items())
        self.shape = queryset._iterable_class
        if self.shape not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise TypeError("prepared querysets return instances or values_list() rows")
        if self.shape is not ModelIterable:
            return
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model, self.model_span = klass_info["model"], (start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())

    def run(self, values: tuple) -> list:
        params = list(self.params)
        for (adapt, places), value in zip(self.slots, values, strict=True):
            adapted = adapt(value)
            for at in places:
                params[at] = adapted
        connection = connections[self.alias]
        with _cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(row, connection) for row in rows]
        if self.shape is ValuesListIterable:
            return [tuple(row) for row in rows]
        if self.shape is FlatValuesListIterable:
            return [row[0] for row in rows]
        start, end = self.model_span
        instances = []
        for row in rows:
            obj = self.model.from_db(self.alias, self.init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, at in self.annotations:
                setattr(obj, name, row[at])
            instances.append(obj)
        return instances

    def _convert(self, row, connection) -> list:
        row = list(row)
        for at, (converters, expression) in self.converters:
            value = row[at]
            for convert in converters:
                value = convert(value, expression, connection)
            row[at] = value
        return row


def _cursor(connection):
    """PostgreSQL: a cursor that binds on the server and has the statement prepared, so the server plans it
    once per connection (planning a lookup joined to a few tables costs it ~1 ms; running it ~0.1 ms).
    Django's own cursor elsewhere, with prepared statements switched off (``FRONTOFFICE_DB_PREPARE``), and
    while queries are being logged (``DEBUG``, tests counting them): a prepared statement leaves no text
    for Django's query log."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        return connection.cursor()
    return connection._prepare_cursor(_preparing_cursor_class()(raw))


@lru_cache(maxsize=1)
def _preparing_cursor_class():
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def _adapter(sample: Any, connection) -> Callable[[Any], Any]:
    """How Django hands a value of the sample's kind to this database."""
    ops = connection.ops
    if isinstance(sample, datetime.datetime):
        return ops.adapt_datetimefield_value
    if isinstance(sample, datetime.date):
        return ops.adapt_datefield_value
    return _as_is


def _as_is(value):
    return value
