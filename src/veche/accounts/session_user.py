"""The signed-in user of a request whose view reads the user's row together with its
own first query (posting: the author's facts and the thread).

Django reads the user's row in a query of its own before the view (the second-factor
middleware asks about it on every request). A view marked with
@user_read_with_its_query gets, instead, a SessionUser: the user's id comes from the
session without a query, and the row rides in the view's first query that joins the
user's table (accounts.facts.participant_facts_and_row). Once the row is there, the
user is loaded by Django's own auth.get_user() (the session's hash is checked, an
inactive user is refused), which takes the row handed over instead of asking the
database; nothing else changes. The second-factor check runs then, on that row: a
staff member without one is sent to set it up (MfaSetupRequired) before the view has
changed anything, as the middleware does on other pages.

On posting this saves a query and its round trip: the user's row comes with the
author's facts and the thread.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest
from django.utils.functional import LazyObject, SimpleLazyObject, empty

F = TypeVar("F", bound=Callable[..., Any])

VIEW_FLAG = "veche_user_read_with_its_query"

# The row the running auth.get_user() may take instead of reading it (UserManager.get).
_handed_over: ContextVar[Any] = ContextVar("veche_handed_over_user_row", default=None)


class MfaSetupRequired(Exception):
    """The user must set up a second factor before doing anything here."""


def user_read_with_its_query(view: F) -> F:
    """Mark a view whose first query reads the user's row (see the module)."""
    setattr(view, VIEW_FLAG, True)
    return view


def reads_user_with_its_query(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, VIEW_FLAG, False))


def handed_over_row(pk: Any) -> Any | None:
    """The row handed over for this primary key while a SessionUser loads, else None."""
    row = _handed_over.get()
    if row is not None and str(row.pk) == str(pk):
        return row
    return None


class SessionUser(SimpleLazyObject):
    """request.user for a marked view: Django's lazy user, which also knows the
    session's user id before it is loaded and can be handed its row."""

    def __init__(self, request: HttpRequest, *, check_mfa: Callable[[Any], None]) -> None:
        self.__dict__["_request"] = request
        self.__dict__["_check_mfa"] = check_mfa
        self.__dict__["_row"] = None
        super().__init__(self._load)

    def _load(self) -> Any:
        token = _handed_over.set(self.__dict__["_row"])
        try:
            user = auth.get_user(self.__dict__["_request"])
        finally:
            _handed_over.reset(token)
            self.__dict__["_row"] = None
        self.__dict__["_check_mfa"](user)
        return user

    @property
    def loaded(self) -> bool:
        return self.__dict__["_wrapped"] is not empty

    def session_pk(self) -> Any | None:
        """The user id the session names, before the user is loaded (None once loaded,
        or when the session names nobody Django's get_user would load)."""
        state = self.__dict__
        if state["_wrapped"] is not empty:
            return None
        if "_session_pk" not in state:
            state["_session_pk"] = _session_pk(state["_request"])
        return state["_session_pk"]

    def hand_over(self, row: Any) -> None:
        """The user's row, read by the view's query: loading takes it, once."""
        if not self.loaded:
            self.__dict__["_row"] = row

    @property
    def pk(self) -> Any:
        """The session's user id before loading (a rate limit counts attempts by it; it
        grants nothing), the loaded user's afterwards."""
        pk = self.session_pk()
        if pk is not None:
            return pk
        if not self.loaded:
            self._setup()
        return self.__dict__["_wrapped"].pk


def _session_pk(request: HttpRequest) -> Any | None:
    session = request.session
    try:
        backend = session[auth.BACKEND_SESSION_KEY]
        pk = auth._get_user_session_key(request)
    except (KeyError, ValueError, TypeError):
        return None
    return pk if backend in settings.AUTHENTICATION_BACKENDS else None


def loaded_user(user: Any) -> Any:
    """The user itself for a lazy request.user that has been loaded (each attribute read
    through the proxy costs a Python call); anything else as it is."""
    wrapped = _wrapped(user)
    return user if wrapped is empty else wrapped


def not_loaded(user: Any) -> bool:
    """A lazy request.user whose row has not been read yet."""
    return isinstance(user, LazyObject) and _wrapped(user) is empty


def _wrapped(user: Any) -> Any:
    if isinstance(user, LazyObject):
        return user.__dict__.get("_wrapped", empty)
    return empty


def session_user_of(user: Any) -> SessionUser | None:
    """The SessionUser when `user` is one that is not loaded yet, else None."""
    if type(user) is SessionUser and not user.loaded:
        return user
    return None
