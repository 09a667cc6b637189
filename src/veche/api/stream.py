"""The whole thread as one streamed JSON document: GET /t/<id>/comments.json.

The paged API answers what a page shows; this answers everything at once (exports,
archives, readers of very long threads) without building it in memory: rows come from
the database in chunks (veche.discussion.thread_json), in thread order, and go out in
pieces of about 64 KiB.

Each comment is the paged API's comment (serialize.comment_out) without "number",
"replies" and "more_replies", with "depth". It is written here with string formatting
rather than built as a dict and encoded, which was most of the time of a big thread:
the per-thread values (URL shapes, the thread id) are computed once, an author's JSON
once per author, and the stored HTML goes through the presentation transforms a chunk at
a time (presentation.py). The encoding is the one DjangoJSONEncoder(ensure_ascii=False,
separators=(",", ":")) gives, which tests/api/test_stream_document.py compares byte for
byte with the dict path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from json.encoder import encode_basestring

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, StreamingHttpResponse

from veche.accounts.avatars import avatar_url
from veche.api.presentation import present_many
from veche.api.serialize import thread_out
from veche.core.urlbuild import url_maker
from veche.discussion.models import CommentStatus, Thread
from veche.discussion.selectors import Viewer
from veche.discussion.thread_json import iter_thread_rows

encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))
PIECE = 64 * 1024  # bytes (about) per write to the client
AUTHORS_KEPT = 4096  # distinct authors whose JSON is kept while streaming one thread
STATUS_JSON = {str(s): encode_basestring(str(s)) for s in CommentStatus}


def iso(value: datetime | None) -> str:
    """A datetime as DjangoJSONEncoder writes it (milliseconds, "Z" for UTC), quoted."""
    if value is None:
        return "null"
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return f'"{text}"'


def _int_route(name: str) -> tuple[str, str]:
    """The text before and after the (integer) argument of route `name`."""
    marker = "2718281828"  # an integer, which url_maker leaves unquoted
    head, _, tail = url_maker(name)(marker).partition(marker)
    return head, tail


def _author_json() -> Callable[[str, str | None], str]:
    """(author_name, username) -> the "author" object, remembered per author."""
    profile = url_maker("accounts:profile")
    kept: dict[tuple[str, str | None], str] = {}

    def author(name: str, username: str | None) -> str:
        key = (name, username)
        found = kept.get(key)
        if found is None:
            if len(kept) >= AUTHORS_KEPT:
                kept.clear()  # bounded: a thread of a million authors stays flat
            found = kept[key] = encoder.encode({
                "name": name,
                "username": username,
                "avatar": avatar_url(username if username is not None else name),
                "profile": profile(username) if username is not None else None,
            })
        return found

    return author


def _comments(thread: Thread, viewer: Viewer) -> Iterator[str]:
    """Each comment's JSON, in thread order."""
    author = _author_json()
    url_head, url_tail = _int_route("discussion:permalink")
    thread_id = thread.pk
    deleted, removed = STATUS_JSON[CommentStatus.DELETED], STATUS_JSON[CommentStatus.REMOVED]
    for chunk, usernames in iter_thread_rows(thread, viewer=viewer):
        htmls = iter(present_many([row[7] for row in chunk if row[4]]))
        for (pk, parent, depth, status, shown, name, author_id, _, created, edited, score,
             up, down, quote_ok, quoted_id, of_target, quoted_text, quoted_name) in chunk:
            head = (f'{{"id":{pk},"thread":{thread_id},'
                    f'"parent":{"null" if parent is None else parent},')
            tail = (f'"score":{score},"upvotes":{up},"downvotes":{down},"my_vote":0,')
            end = f'"url":"{url_head}{pk}{url_tail}","continues":false,"depth":{depth}}}'
            if not shown:
                yield (f'{head}"author":null,"html":"","created":{iso(created)},'
                       f'"edited":null,{tail}'
                       f'"status":{deleted if status == CommentStatus.DELETED else removed},'
                       f'"quote":null,{end}')
                continue
            if quote_ok:
                quote = (f'{{"comment_id":{"null" if quoted_id is None else quoted_id},'
                         f'"of_target":{"true" if of_target else "false"},'
                         f'"text":{encode_basestring(quoted_text)},'
                         f'"author_name":{encode_basestring(quoted_name)}}}')
            else:
                quote = "null"
            status_json = STATUS_JSON.get(status) or encode_basestring(status)
            username = usernames.get(author_id) if author_id is not None else None
            yield (f'{head}"author":{author(name, username)},'
                   f'"html":{encode_basestring(next(htmls))},"created":{iso(created)},'
                   f'"edited":{iso(edited)},{tail}"status":{status_json},'
                   f'"quote":{quote},{end}')


def document(thread: Thread, viewer: Viewer, piece: int = PIECE) -> Iterator[bytes]:
    """The whole document in pieces of about `piece` bytes (more for one huge comment)."""
    parts = ['{"thread":', encoder.encode(thread_out(thread)), ',"comments":[']
    size = 0
    separator = ""
    for item in _comments(thread, viewer):
        parts.append(separator)
        parts.append(item)
        separator = ","
        size += len(item)  # characters: close enough to bytes for sizing the pieces
        if size >= piece:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode()


def whole_thread(request: HttpRequest, thread_id: int) -> StreamingHttpResponse:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("There is no such discussion.")
    response = StreamingHttpResponse(
        document(thread, Viewer.of(request.user)), content_type="application/json"
    )
    response["Cache-Control"] = "private, no-cache"
    return response
