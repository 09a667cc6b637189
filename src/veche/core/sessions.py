"""Sessions kept in the database (the engine without Redis), each request's session
row read by primary key from a SELECT planned once (core.rows.by_pk).

Django's own engine builds a queryset for it on every signed-in request: ~0.2 ms, as
much as the rest of the session's handling. Same rows, same answers: an expired or
missing session is no session.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.utils import timezone

from veche.core.rows import by_pk


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        found = by_pk(self.model, self.session_key) if self.session_key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found
