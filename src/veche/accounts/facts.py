"""One query of a participant's row that several apps add columns to.

Posting needs a dozen facts about its author (a verified address, a sanction in force,
the author's stats and role, an earlier comment with the same text or token). Asked one
by one they cost a dozen queries; as Django expressions on one queryset they cost one
query whose *building* took ~4 ms a post while SQLite ran it in ~0.07 ms. So each fact
is a plain SQL expression with its parameters (a scalar subquery or EXISTS over the
participant's id), and participant_facts() runs them as one SELECT, with no ORM
building on this path. Names come from the models' _meta, quoted by the backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.utils.dateparse import parse_datetime

from veche.accounts.session_user import session_user_of
from veche.core.rows import columns, instance

# (SQL expression, parameters). The expression refers to the participant's row as
# PARTICIPANT (e.g. f"{PARTICIPANT}.{column(User, 'id')}").
Fact = tuple[str, list[Any]]
PARTICIPANT = "participant"


# Posting builds its facts' SQL on every submit (some forty names): each name is looked
# up and quoted once per process. A process has one default database, so one quoting.
@cache
def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def column(model: Any, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


@cache
def participant_id() -> str:
    from django.contrib.auth import get_user_model

    return f"{PARTICIPANT}.{column(get_user_model(), 'id')}"


def db_datetime(value: datetime) -> Any:
    """A datetime as the backend stores it (SQLite: a UTC string)."""
    return connection.ops.adapt_datetimefield_value(value)


def as_datetime(value: Any) -> datetime | None:
    """A datetime column read back by hand (SQLite gives it naive, in UTC)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None and settings.USE_TZ:
        parsed = parsed.replace(tzinfo=UTC)  # stored in UTC
    return parsed


def _selected(facts: Mapping[str, Fact]) -> tuple[list[str], list[str], list[Any]]:
    """The facts' names, their SELECT expressions and those expressions' parameters."""
    names = list(facts)
    params: list[Any] = []
    for name in names:
        params.extend(facts[name][1])
    return names, [f"({facts[name][0]})" for name in names], params


def participant_facts_and_row(
    user: Any, facts: Mapping[str, Fact], model: type[Model], pk: Any
) -> tuple[dict[str, Any], Model | None]:
    """The facts, and the row of `model` with primary key `pk` (as an instance), in the
    same ONE query: a request that needs both (posting: the author's facts and the
    thread) makes one round trip where it made two. (None for the row when it does not
    exist; {} for the facts when the user's row is gone.)"""
    from django.contrib.auth import get_user_model

    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:  # a key that cannot be one finds nothing
        return {}, None
    # A user not loaded yet (accounts.session_user): their row comes in this query too.
    unloaded = session_user_of(user)
    user_pk = unloaded.session_pk() if unloaded is not None else None
    if user_pk is None:
        unloaded = None
        user_pk = user.pk
    names, expressions, params = _selected(facts)
    other = connection.ops.quote_name("row_of")
    selected = [participant_id(), *expressions, columns(model, other)]
    user_model = get_user_model()
    extras: dict[str, Fact] = {}
    if unloaded is not None:
        from veche.accounts.mfa_policy import needs_setup_fact

        # The second-factor answer too: the middleware asks it when the user loads.
        extras = needs_setup_fact(PARTICIPANT)
        selected.append(columns(user_model, PARTICIPANT))
        selected += [f"({sql})" for sql, _ in extras.values()]
        params += [p for _, extra in extras.values() for p in extra]
    sql = (
        f"SELECT {', '.join(selected)} FROM {table(model)} {other}"  # noqa: S608
        f" LEFT JOIN {table(user_model)} {PARTICIPANT} ON {participant_id()} = %s"
        f" WHERE {other}.{column(model, model._meta.pk.name)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, user_pk, pk])
        row = cursor.fetchone()
    if row is None:
        return {}, None
    start = 1 + len(names)
    end = start + len(model._meta.concrete_fields)
    found = instance(model, row[start:end])
    if row[0] is None:  # the user's row is gone
        return {}, found
    if unloaded is not None:
        tail = end + len(user_model._meta.concrete_fields)
        participant = instance(user_model, row[end:tail])
        for name, value in zip(extras, row[tail:], strict=True):
            setattr(participant, name, value)
        unloaded.hand_over(participant)
    return dict(zip(names, row[1:1 + len(names)], strict=True)), found


def participant_facts(user: Any, facts: Mapping[str, Fact]) -> dict[str, Any]:
    """The facts evaluated on the user's row in ONE query; {} when the row is gone."""
    from django.contrib.auth import get_user_model

    names, expressions, params = _selected(facts)
    if not names:
        return {}
    model = get_user_model()
    sql = (
        f"SELECT {', '.join(expressions)} FROM {table(model)} {PARTICIPANT}"  # noqa: S608
        f" WHERE {participant_id()} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, user.pk])
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True)) if row else {}
