"""The whole thread as one streamed JSON document: GET /t/<id>/comments.json.

The paged API answers what a page shows; this answers everything at once (exports,
archives, readers of very long threads) without building it in memory: the rows come in
batches along the thread order (api.stream_sql), orjson writes each batch's JSON, and
the document goes out in pieces of 64 KiB. The author object (avatar and profile URLs)
is encoded once per author; the HTML goes through the presentation transforms
(presentation.py, one check per batch).
Readers who see what an anonymous reader sees (everyone but moderators and readers with
comments held for moderation) share one document per thread version, kept as a file
(api.document_files).

Each comment is the paged API's comment (serialize.comment_out) without "number",
"replies" and "more_replies", with "depth", encoded as DjangoJSONEncoder(ensure_ascii=False,
separators=(",", ":")) encodes it: tests/api/test_stream_document.py compares the bytes
with the dict path's.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from veche.accounts.avatars import avatar_url
from veche.api import document_files
from veche.api.presentation import present_many
from veche.api.serialize import thread_out
from veche.api.stream_sql import Row, iter_rows
from veche.core import pagecache
from veche.core.urlbuild import url_maker
from veche.discussion.models import CommentStatus, Thread
from veche.discussion.selectors import Viewer, sees_as_anonymous
from veche.discussion.thread_json import usernames

encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))
PIECE = 64 * 1024  # bytes per write to the client (the last piece may be shorter)
AUTHORS_KEPT = 4096  # distinct authors whose JSON is kept while streaming one thread
PUBLISHED, DELETED, REMOVED = (str(s.value) for s in (
    CommentStatus.PUBLISHED, CommentStatus.DELETED, CommentStatus.REMOVED))
# Where a row (stream_sql.Row, as a plain tuple) holds what the author objects and the
# presentation check read.
SHOWN, AUTHOR_NAME, AUTHOR_ID, HTML = map(Row._fields.index,
                                          ("shown", "author_name", "author_id", "html"))


class _Authors:
    """The "author" object of every comment, encoded once per author (kept as an
    orjson.Fragment, which orjson writes as it is); usernames are asked for once per
    account, in one query per batch that brings new ones."""

    def __init__(self) -> None:
        self.profile = url_maker("accounts:profile")
        self.kept: dict[tuple[str, int | None], orjson.Fragment] = {}

    def of(self, batch: list[tuple]) -> dict[tuple[str, int | None], orjson.Fragment]:
        """The objects, by (author_name, author_id), of the batch's shown comments."""
        wanted = {(row[AUTHOR_NAME], row[AUTHOR_ID]) for row in batch if row[SHOWN]}
        missing = wanted - self.kept.keys()
        if len(self.kept) + len(missing) > AUTHORS_KEPT:
            self.kept.clear()  # bounded: a thread of a million authors stays flat
            missing = wanted
        if missing:
            names = usernames(author_id for _, author_id in missing)
            for name, author_id in missing:
                self.kept[name, author_id] = orjson.Fragment(
                    self._encode(name, names.get(author_id)))
        return self.kept

    def _encode(self, name: str, username: str | None) -> str:
        return encoder.encode({
            "name": name,
            "username": username,
            "avatar": avatar_url(username if username is not None else name),
            "profile": self.profile(username) if username is not None else None,
        })


def _time(text: str) -> str:
    """A UTC time's text ("YYYY-MM-DD HH:MM:SS[.f…]") as DjangoJSONEncoder writes the
    time (without the quotes): ISO, milliseconds, none when the time has no fraction."""
    iso = text.replace(" ", "T")
    return f"{iso}Z" if len(iso) == 19 else f"{iso.ljust(26, '0')[:23]}Z"


def _comment_batches(thread: Thread, viewer: Viewer) -> Iterator[list[dict]]:
    """The comments, a batch at a time, in thread order, as the dicts orjson writes:
    plain values, and the author and quote objects already JSON (orjson.Fragment).
    orjson escapes strings exactly as DjangoJSONEncoder(ensure_ascii=False) does and
    writes a batch several times as fast as formatting each comment in Python."""
    authors = _Authors()
    permalink = url_maker("discussion:permalink")
    marker = "2718281828"  # an integer, which url_maker leaves unquoted
    url_head, _, url_tail = permalink(marker).partition(marker)
    thread_id = thread.pk
    fragment = orjson.Fragment
    for batch in iter_rows(thread, viewer):
        author = authors.of(batch)
        presented = iter(present_many([row[HTML] for row in batch if row[SHOWN]]))
        out = []
        for (id_, parent, shown, name, author_id, _, created, edited, score, upvotes,
             downvotes, status, quote, depth, _) in batch:
            if shown:
                person = author[name, author_id]
                html = next(presented)
                edit = None if edited is None else _time(edited)
                status = status or PUBLISHED
            else:
                person, html, edit = None, "", None
                status = DELETED if status == DELETED else REMOVED
            out.append({
                "id": id_, "thread": thread_id, "parent": parent, "author": person,
                "html": html, "created": _time(created), "edited": edit, "score": score,
                "upvotes": upvotes, "downvotes": downvotes, "my_vote": 0, "status": status,
                "quote": None if quote is None else fragment(quote),
                "url": f"{url_head}{id_}{url_tail}", "continues": False, "depth": depth,
            })
        yield out


def document(thread: Thread, viewer: Viewer, piece: int = PIECE) -> Iterator[bytes]:
    """The whole document in pieces of `piece` bytes (the last one shorter)."""
    buffer = bytearray(b'{"thread":')
    buffer += encoder.encode(thread_out(thread)).encode()
    buffer += b',"comments":['
    separator = b""
    for batch in _comment_batches(thread, viewer):
        encoded = orjson.dumps(batch)  # b"[...]"
        buffer += separator
        with memoryview(encoded) as items:
            buffer += items[1:-1]
        separator = b","
        while len(buffer) >= piece:
            with memoryview(buffer) as view:
                out = bytes(view[:piece])
            del buffer[:piece]  # from the front: CPython moves its start, not the bytes
            yield out
    buffer += b"]}"
    yield bytes(buffer)


def whole_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("There is no such discussion.")
    viewer = Viewer.of(request.user)
    signed_in = viewer.user_id is not None
    if not document_files.enabled() or not sees_as_anonymous(thread, viewer):
        # Built for this reader: a moderator, or one with comments held for moderation.
        response = StreamingHttpResponse(document(thread, viewer),
                                         content_type="application/json")
        response["Cache-Control"] = "private, no-cache"
        return response
    # The same for every reader who sees what an anonymous one sees, until the thread's
    # version changes.
    token = document_files.version_token(thread)
    unchanged = pagecache.not_modified(request, token)
    if unchanged is not None:
        return _shared_cache_headers(unchanged, signed_in)
    pieces = document_files.read(token)
    if pieces is None:
        pieces = document_files.write_through(token, document(thread, Viewer()))
    response = StreamingHttpResponse(pieces, content_type="application/json")
    response["ETag"] = pagecache.make_etag(
        token, request.get_full_path(), get_language() or settings.LANGUAGE_CODE
    )
    return _shared_cache_headers(response, signed_in)


def _shared_cache_headers(response: HttpResponse, signed_in: bool) -> HttpResponse:
    """A shared cache keeps the anonymous answer only (Vary: Cookie); a signed-in
    reader's may change with their next held comment, so it is theirs alone."""
    response["Cache-Control"] = "private, no-cache" if signed_in else (
        pagecache.PUBLIC_CACHE_CONTROL)
    patch_vary_headers(response, ("Cookie",))
    return response
