"""One model row by primary key, without building a query each time.

A lookup as small as Thread.objects.filter(pk=...).first() spends ~0.4 ms in Python
compiling the query, twice what the database takes to answer it (a post makes it on
every submit). Here the SELECT and the columns' converters are worked out once per
model and the row becomes an instance through Model.from_db, as the ORM itself does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.db.models.base import DEFERRED

M = TypeVar("M", bound=Model)


@cache
def _plan(model: type[Model], vendor: str) -> tuple[str, list[str], list[tuple]]:
    """(SQL, the fields' attribute names, each column's (converters, expression))."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    sql = (f"SELECT {columns(model, table)}"  # noqa: S608
           f" FROM {table} WHERE {table}.{qn(model._meta.pk.column)} = %s")
    names, converters = _readers(model, vendor)
    return sql, names, converters


@cache
def _readers(model: type[Model], vendor: str) -> tuple[list[str], list[tuple]]:
    """The fields' attribute names and each column's (converters, expression)."""
    fields = list(model._meta.concrete_fields)
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append((connection.ops.get_db_converters(column)
                           + field.get_db_converters(connection), column))
    return [f.attname for f in fields], converters


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns as a SELECT list on the (quoted) table `alias`, in
    the order instance() reads them."""
    return _columns(model, alias, connection.vendor)


@cache
def _columns(model: type[Model], alias: str, vendor: str) -> str:
    qn = connection.ops.quote_name
    return ", ".join(f"{alias}.{qn(f.column)}" for f in model._meta.concrete_fields)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """The instance a row of columns(model, ...) makes, its values converted as the ORM
    converts them."""
    names, converters = _readers(model, connection.vendor)
    converted = []
    for value, (steps, column) in zip(values, converters, strict=True):
        for convert in steps:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def by_pk(model: type[M], pk: Any,
          extras: Mapping[str, tuple[str, list]] | None = None) -> M | None:
    """The row of `model` with this primary key, or None (also for a malformed key).

    `extras`: {attribute: (SQL expression, parameters)} read in the same SELECT (the
    row's table is named as in the model's db_table) and set on the instance as the
    database gives them, so that what a request needs about the row costs no query of
    its own."""
    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:  # a key that cannot be one finds nothing
        return None
    sql, names, _ = _plan(model, connection.vendor)
    params = [pk]
    if extras:
        head, _, tail = sql.partition(" FROM ")
        columns = "".join(f", ({expression})" for expression, _ in extras.values())
        sql = f"{head}{columns} FROM {tail}"
        params = [*(p for _, extra in extras.values() for p in extra), pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    found = instance(model, row[:len(names)])
    if extras:
        for name, value in zip(extras, row[len(names):], strict=True):
            setattr(found, name, value)
    return found


# (model, the row's field names) -> for each concrete field, whether the row has it.
_spreads: dict[tuple[type[Model], tuple[str, ...]], tuple[bool, ...]] = {}
SPREADS_KEPT = 1024  # query shapes are few, written in the code; a bound all the same


class PartialRowsFromDb:
    """A model mixin: instances from rows of some of the fields (a queryset with .only()
    or .defer(), or select_related's part of a row) built without a quadratic step.

    Django's Model.from_db asks, for each of the model's fields, whether it is in the
    row's field names, a list: fields x selected string comparisons per instance. A
    thread page makes ~420 instances (200 comments, their authors, the comments they
    quote), and those comparisons were 15% of its instructions. Here which fields the
    row has is worked out once per field list; the instance is the same."""

    @classmethod
    def from_db(cls, db: str | None, field_names: Sequence[str], values: Sequence[Any]) -> Any:
        fields = cls._meta.concrete_fields  # type: ignore[attr-defined]
        if len(values) != len(fields):
            key = (cls, tuple(field_names))
            has = _spreads.get(key)
            if has is None:
                if len(_spreads) >= SPREADS_KEPT:
                    _spreads.clear()
                names = set(field_names)
                has = _spreads[key] = tuple(f.attname in names for f in fields)
            given = iter(values)
            values = [next(given) if present else DEFERRED for present in has]
        new = cls(*values)
        new._state.adding = False
        new._state.db = db
        return new
