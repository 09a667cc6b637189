"""The whole thread as one streamed JSON document: GET /t/<id>/comments.json.

The paged API answers what a page shows; this answers everything at once (exports,
archives, readers of very long threads) without building it in memory: comments come
from the database in chunks, in thread order, and go out as they are serialised.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, StreamingHttpResponse

from veche.api.serialize import comment_out, thread_out
from veche.discussion.models import Thread
from veche.discussion.selectors import Viewer, iter_whole_thread

encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _document(thread: Thread, viewer: Viewer) -> Iterator[str]:
    yield '{"thread":' + encoder.encode(thread_out(thread)) + ',"comments":['
    first = True
    for comment, shown in iter_whole_thread(thread, viewer=viewer):
        item = comment_out(comment, shown=shown, quote_visible=shown and _quote_visible(comment))
        item["depth"] = comment.depth
        del item["replies"], item["more_replies"], item["number"]
        yield ("" if first else ",") + encoder.encode(item)
        first = False
    yield "]}"


def _quote_visible(comment) -> bool:
    if comment.quotes_target:
        return bool(comment.quoted_text)
    return comment.quoted_comment_id is not None and comment.quoted_comment.status == "published"


def whole_thread(request: HttpRequest, thread_id: int) -> StreamingHttpResponse:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("There is no such discussion.")
    response = StreamingHttpResponse(
        _document(thread, Viewer.of(request.user)), content_type="application/json"
    )
    response["Cache-Control"] = "private, no-cache"
    return response
