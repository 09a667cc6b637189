"""The whole thread as one streamed JSON document: GET /t/<id>/comments.json.

The paged API answers what a page shows; this answers everything at once (exports,
archives, readers of very long threads) without building it in memory: the rows come in
batches along the thread order (api.stream_sql), each comment's JSON is written from
them with one f-string, and the document goes out in pieces of about 64 KiB. The author
object (avatar and profile URLs) is encoded once per author; the HTML goes through the
presentation transforms (presentation.py, one check per batch) and orjson's escaping.
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
from json.encoder import encode_basestring

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
PIECE = 64 * 1024  # bytes (about) per write to the client
AUTHORS_KEPT = 4096  # distinct authors whose JSON is kept while streaming one thread
STATUS_JSON = {str(s): encode_basestring(str(s)) for s in CommentStatus}
# Where a row (stream_sql.Row, as a plain tuple) holds what the author objects and the
# presentation check read.
SHOWN, AUTHOR_NAME, AUTHOR_ID, HTML = map(Row._fields.index,
                                          ("shown", "author_name", "author_id", "html"))


def _int_route(name: str) -> tuple[str, str]:
    """The text before and after the (integer) argument of route `name`."""
    marker = "2718281828"  # an integer, which url_maker leaves unquoted
    head, _, tail = url_maker(name)(marker).partition(marker)
    return head, tail


class _Authors:
    """The "author" object of every comment, encoded once per author; usernames are
    asked for once per account, in one query per batch that brings new ones."""

    def __init__(self) -> None:
        self.profile = url_maker("accounts:profile")
        self.kept: dict[tuple[str, int | None], str] = {}  # (author_name, author_id)

    def of(self, batch: list[tuple]) -> dict[tuple[str, int | None], str]:
        """The objects, by (author_name, author_id), of the batch's shown comments."""
        wanted = {(row[AUTHOR_NAME], row[AUTHOR_ID]) for row in batch if row[SHOWN]}
        missing = wanted - self.kept.keys()
        if len(self.kept) + len(missing) > AUTHORS_KEPT:
            self.kept.clear()  # bounded: a thread of a million authors stays flat
            missing = wanted
        if missing:
            names = usernames(author_id for _, author_id in missing)
            for name, author_id in missing:
                self.kept[name, author_id] = self._encode(name, names.get(author_id))
        return self.kept

    def _encode(self, name: str, username: str | None) -> str:
        return encoder.encode({
            "name": name,
            "username": username,
            "avatar": avatar_url(username if username is not None else name),
            "profile": self.profile(username) if username is not None else None,
        })


def json_string(text: str) -> str:
    """`text` as a JSON string, escaped as encode_basestring (ensure_ascii=False) does
    it: orjson writes the same escapes about five times as fast, and the comments' HTML
    is most of a document's bytes."""
    return orjson.dumps(text).decode()


def _time(text: str) -> str:
    """A UTC time's text ("YYYY-MM-DD HH:MM:SS[.f…]") as DjangoJSONEncoder writes the
    time: ISO, milliseconds, none when the time has no fraction."""
    iso = text.replace(" ", "T")
    return f'"{iso}Z"' if len(iso) == 19 else f'"{iso.ljust(26, "0")[:23]}Z"'


def _comment_batches(thread: Thread, viewer: Viewer) -> Iterator[list[str]]:
    """The comments' JSON, a batch at a time, in thread order."""
    authors = _Authors()
    url_head, url_tail = _int_route("discussion:permalink")
    url_head, url_tail = encode_basestring(url_head)[:-1], encode_basestring(url_tail)[1:]
    status_json = STATUS_JSON
    deleted, removed = STATUS_JSON[CommentStatus.DELETED], STATUS_JSON[CommentStatus.REMOVED]
    for batch in iter_rows(thread, viewer):
        author = authors.of(batch)
        presented = iter(present_many([row[HTML] for row in batch if row[SHOWN]]))
        out = []
        for (id_, thread_id, parent, shown, name, author_id, _, created, edited, score,
             upvotes, downvotes, status, quote, depth, _) in batch:
            if shown:
                person = author[name, author_id]
                html = json_string(next(presented))
                state = status_json[status]
                edit = "null" if edited is None else _time(edited)
            else:
                person, html, edit = "null", '""', "null"
                state = deleted if status == CommentStatus.DELETED else removed
            out.append(
                f'{{"id":{id_},"thread":{thread_id},'
                f'"parent":{"null" if parent is None else parent},"author":{person},'
                f'"html":{html},"created":{_time(created)},"edited":{edit},'
                f'"score":{score},"upvotes":{upvotes},"downvotes":{downvotes},"my_vote":0,'
                f'"status":{state},"quote":{quote},"url":{url_head}{id_}{url_tail},'
                f'"continues":false,"depth":{depth}}}'
            )
        yield out


def document(thread: Thread, viewer: Viewer, piece: int = PIECE) -> Iterator[bytes]:
    """The whole document in pieces of about `piece` bytes (more for one huge comment)."""
    parts = ['{"thread":', encoder.encode(thread_out(thread)), ',"comments":[']
    size = 0
    separator = ""
    for batch in _comment_batches(thread, viewer):
        for item in batch:
            parts.append(separator)
            parts.append(item)
            separator = ","
            size += len(item)  # characters: close enough to bytes for sizing the pieces
            if size >= piece:
                yield "".join(parts).encode()
                parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode()


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
