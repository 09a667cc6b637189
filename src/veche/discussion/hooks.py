"""Extension points of posting, so other apps (moderation) plug in without this app
importing them.

A *check* looks at a draft (a new comment, or an edit) and returns a Verdict or None.
The most severe verdict wins: reject > hold > publish. A check may also raise
ActionError to refuse the request outright (a suspended account, a rate limit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

PUBLISH, HOLD, REJECT = "publish", "hold", "reject"
SEVERITY = {PUBLISH: 0, HOLD: 1, REJECT: 2}


@dataclass
class Draft:
    thread: Any
    author: Any
    body_markdown: str
    body_html: str
    parent: Any = None
    ip_address: str | None = None
    editing: Any = None  # the Comment being edited, or None for a new comment
    # What the fact sources' annotations read on the author's row (see fact_annotations);
    # None when nobody read them (edits, drafts built by hand): checks then query.
    facts: dict | None = None
    # What the checks' starters began for this text (see started_checks), by check.
    started: dict = field(default_factory=dict)


@dataclass
class Verdict:
    action: str
    reason: str = ""
    check: str = ""
    score: float | None = None
    details: dict = field(default_factory=dict)


Check = Callable[[Draft], Verdict | None]
_checks: list[Check] = []


# A starter begins a check's slow part (a request to another process) as soon as the
# text is known, so that it runs while posting reads the author's facts. It gets the
# draft as far as it is known then (no thread, no facts: see started_checks) and returns
# None (nothing started) or a handle with abandon(), which the check finds in
# Draft.started and finishes.
Starter = Callable[[Draft], Any]
_starters: dict[Check, Starter] = {}


def register_check(check: Check, *, start: Starter | None = None) -> Check:
    if check not in _checks:
        _checks.append(check)
    if start is not None:
        _starters[check] = start
    return check


@contextmanager
def started_checks(early: Draft) -> Iterator[dict]:
    """The registered checks' starters run on `early`, the draft before the thread and
    the author's facts are read (its thread and facts are None); whatever a check did
    not finish inside the block is abandoned when it ends (a refusal, an error)."""
    handles: dict = {}
    try:
        for check, start in list(_starters.items()):
            if check in _checks:
                handle = start(early)
                if handle is not None:
                    handles[check] = handle
        yield handles
    finally:
        for handle in handles.values():
            handle.abandon()


@contextmanager
def _registered(registry: list, entries: tuple) -> Iterator[list]:
    """Add the entries not yet in `registry` for the duration of a block (tests);
    yields those it added."""
    added = [e for e in entries if e not in registry]
    registry.extend(added)
    try:
        yield added
    finally:
        for e in added:
            registry.remove(e)


@contextmanager
def checks_registered(*checks: Check) -> Iterator[None]:
    """Register checks for the duration of a block (tests)."""
    with _registered(_checks, checks) as added:
        try:
            yield
        finally:
            for c in added:
                _starters.pop(c, None)


def run_checks(draft: Draft) -> list[Verdict]:
    verdicts = []
    for check in list(_checks):
        verdict = check(draft)
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts


# A fact source lets checks read what they need about the author in the ONE query of the
# author's row that posting makes (with the participation facts), instead of a query
# each: it gets (author, body_markdown, editing) and returns {name: (SQL, params)} for
# that row (veche.accounts.facts); the checks find the values in Draft.facts.
FactSource = Callable[[Any, str, Any], dict[str, Any]]
_fact_sources: list[FactSource] = []


def register_fact_source(source: FactSource) -> FactSource:
    if source not in _fact_sources:
        _fact_sources.append(source)
    return source


def fact_annotations(author: Any, body_markdown: str, editing: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source in list(_fact_sources):
        out.update(source(author, body_markdown, editing))
    return out


# A guard may refuse an action other than posting (e.g. a vote) by raising ActionError,
# for limits that apply to it (rate limits); it must not change anything.
Guard = Callable[[str, Any], None]  # (action name, user)
_guards: list[Guard] = []


def register_guard(guard: Guard) -> Guard:
    if guard not in _guards:
        _guards.append(guard)
    return guard


def run_guards(action: str, user: Any) -> None:
    for guard in list(_guards):
        guard(action, user)


# A recorder stores what the checks said about a comment, inside the transaction that
# creates or edits it, so a held comment never exists without its reasons.
Recorder = Callable[[Any, list[Verdict], bool], None]  # (comment, verdicts, is_edit)
_recorders: list[tuple[Recorder, bool]] = []  # (recorder, also for new comments)


def register_recorder(recorder: Recorder, *, new_comments: bool = True) -> Recorder:
    """new_comments=False: edits only (a new comment's records come as companion rows)."""
    if all(r is not recorder for r, _ in _recorders):
        _recorders.append((recorder, new_comments))
    return recorder


@contextmanager
def recorders_registered(*recorders: Recorder) -> Iterator[None]:
    """Register recorders for the duration of a block (tests)."""
    new = tuple((r, True) for r in recorders if all(r is not kept for kept, _ in _recorders))
    with _registered(_recorders, new):
        yield


def records_new_comments() -> bool:
    """Whether a recorder writes on its own when a comment is created (posting then
    needs a transaction around the insert and the recorders)."""
    return any(new for _, new in _recorders)


def run_recorders(comment: Any, verdicts: list[Verdict], *, is_edit: bool = False) -> None:
    for recorder, new_comments in list(_recorders):
        if is_edit or new_comments:
            recorder(comment, verdicts, is_edit)


@dataclass
class CompanionRow:
    """A row stored with a new comment and pointing at it: on PostgreSQL inserted by the
    very statement that inserts the comment, elsewhere right after it in the same
    transaction. `instance` is an unsaved model instance whose `comment_field` (a
    foreign key) is set to the new comment; `on_commit` gets the comment's id once it
    is committed."""

    instance: Any
    comment_field: str = "comment"
    on_commit: Callable[[int], None] | None = None


# A companion source gives the rows a new comment is stored with (what the checks said
# about it): (comment, not saved yet, and the verdicts) -> rows. One statement instead
# of a recorder's INSERTs, each a round trip and the transaction around them two more.
CompanionSource = Callable[[Any, list[Verdict]], list[CompanionRow]]
_companion_sources: list[CompanionSource] = []


def register_companions(source: CompanionSource) -> CompanionSource:
    if source not in _companion_sources:
        _companion_sources.append(source)
    return source


@contextmanager
def companions_registered(*sources: CompanionSource) -> Iterator[None]:
    """Register companion sources for the duration of a block (tests)."""
    with _registered(_companion_sources, sources):
        yield


def companion_rows(comment: Any, verdicts: list[Verdict]) -> list[CompanionRow]:
    rows: list[CompanionRow] = []
    for source in list(_companion_sources):
        rows += source(comment, verdicts)
    return rows


def decisive(verdicts: list[Verdict], default: Verdict) -> Verdict:
    return max([default, *verdicts], key=lambda v: SEVERITY[v.action])
