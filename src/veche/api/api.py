"""The JSON API at /api/v1/: threads, comments, votes, the caller and their tokens.

Thin: it parses, then calls veche.discussion.actions and selectors, the same code the
web pages use, so permissions, limits and moderation are the same.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from veche.api import page_cache, serialize
from veche.api.auth import AUTH, optional_user
from veche.api.docs import OfflineSwagger
from veche.api.models import ApiToken, TokenKind
from veche.api.origins import normalise_origin
from veche.api.renderer import ORJSONRenderer, render_json
from veche.api.schemas import (
    MAX_ID,
    CommentIn,
    CommentOut,
    CommentPage,
    CountsIn,
    CountsOut,
    EditIn,
    Error,
    MeOut,
    NewTokenOut,
    SignedInOut,
    Sort,
    SsoIn,
    ThreadIn,
    ThreadOut,
    TokenIn,
    TokenOut,
    VoteIn,
    VoteOut,
)
from veche.api.sso import sso_user, verify_sso
from veche.api.threads import allowed_site, count_key, external_thread
from veche.api.tokens import issue_token
from veche.discussion import actions
from veche.discussion.errors import ActionError, not_found
from veche.discussion.models import Comment, CommentStatus, Thread, Vote
from veche.discussion.selectors import COMMENT_FIELDS, Viewer, get_thread_page

api = NinjaAPI(
    title="Veche API",
    version="1",
    description=(
        "Threads, comments and votes of Veche discussions. Sign in with the session "
        "cookie (writes need the X-CSRFToken header) or `Authorization: Bearer <token>`. "
        'Errors are {"code", "message", "field"}.'
    ),
    urls_namespace="api",
    docs=OfflineSwagger(),
    renderer=ORJSONRenderer(),
)

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
STATUS_TEXT = {400: "bad_request", 401: "not_signed_in", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 422: "invalid", 429: "too_many"}


def errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys(codes, Error)


READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422, 429)


def _error(request: HttpRequest, status: int, code: str, message: str,
           field: str | None = None, retry_after: int | None = None) -> HttpResponse:
    response = api.create_response(
        request, {"code": code, "message": message, "field": field}, status=status
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ActionError)
def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field, exc.retry_after)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, "not_signed_in",
                  "Sign in, or send a valid Authorization: Bearer token.")


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "csrf_failed" if "CSRF" in str(exc) else STATUS_TEXT.get(exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if not isinstance(p, int)]
    # ninja's locations are ("body", "<param>", field...) / ("query", field).
    if loc[:1] == ["body"]:
        loc = loc[2:] or loc[1:]
    elif loc[:1] in (["query"], ["path"], ["header"], ["cookie"]):
        loc = loc[1:]
    field = ".".join(loc) or None
    message = first.get("msg", "The request is malformed.")
    if field:
        message = f"{field}: {message}"
    return _error(request, 422, "invalid", message, field)


def _viewer_user(request: HttpRequest) -> Any:
    return optional_user(request)


def _thread(thread_id: int) -> Thread:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise not_found("thread")
    return thread


def _comment(comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("author", "quoted_comment")
        .only(*COMMENT_FIELDS)
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise not_found()
    return comment


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- Threads --------------------------------------------------------------------------


@api.post("/threads", response={200: ThreadOut, **WRITE}, tags=["threads"])
def get_or_create_thread(request: HttpRequest, data: ThreadIn) -> Any:
    """The thread of a newsroom article (`article`), or of a page on an allowed site
    (`uri`, with `origin` or the request's Origin header), made on first use."""
    if (data.article is None) == (data.uri is None):
        raise ActionError("article_or_uri", "Give either article or uri.", field="uri")
    if data.article is not None:
        from veche.newsroom.models import Article

        article = Article.objects.live().filter(pk=data.article).first()
        if article is None or article.thread_id is None:
            raise ActionError("article_not_found", "There is no such article.",
                              field="article", status=404)
        return serialize.thread_out(article.thread)
    origin = data.origin or request.headers.get("Origin")
    return serialize.thread_out(external_thread(origin, data.uri, data.title))


@api.post("/threads/counts", response={200: CountsOut, **errors(400, 403, 422)},
          tags=["threads"])
def thread_counts(request: HttpRequest, data: CountsIn) -> Any:
    """Published-comment counts of many pages at once (at most 100). A path is taken on
    `origin` (or the Origin header); unknown pages count 0."""
    origin = data.origin or request.headers.get("Origin")
    if origin:
        try:
            origin = normalise_origin(origin)
        except ValueError as e:
            raise ActionError("bad_origin", str(e), field="origin") from None
    keys = {uri: count_key(uri, origin) for uri in data.uris}
    found = dict(
        Thread.objects.filter(target_key__in=[k for k in keys.values() if k]).values_list(
            "target_key", "comment_count"
        )
    )
    return {"counts": {uri: found.get(key, 0) if key else 0 for uri, key in keys.items()}}


@api.get("/threads/{thread_id}", response={200: ThreadOut, **READ}, tags=["threads"])
def get_thread(request: HttpRequest, thread_id: Id) -> Any:
    return serialize.thread_out(_thread(thread_id))


@api.get("/threads/{thread_id}/comments", response={200: CommentPage, **READ},
         tags=["comments"])
def list_comments(
    request: HttpRequest,
    thread_id: Id,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Sort = "oldest",
) -> Any:
    """A page of the thread as the article page shows it: whole top-level subtrees,
    replies nested up to the visual depth (`continues` marks deeper ones)."""
    viewer = Viewer.of(_viewer_user(request))
    thread = _thread(thread_id)

    def build() -> page_cache.PageComments:
        result = get_thread_page(thread, viewer=viewer, sort=sort, page=page)
        comments = render_json(serialize.nodes_out(result.roots))
        return page_cache.PageComments(result.sort, result.number, result.page_count,
                                       comments)

    if viewer.user_id is None and not viewer.is_moderator:
        found = page_cache.anonymous_page(thread, sort=sort, page=page, build=build)
    else:
        found = build()
    page_out = {
        "thread": serialize.thread_out(thread),
        "sort": found.sort,
        "page": found.number,
        "page_count": found.page_count,
        "comments": orjson.Fragment(found.comments_json),
    }
    # Rendered without ninja's validation against CommentPage, a quarter of the time of
    # a 200-comment page: serialize builds exactly that shape, in its field order, and
    # tests/api/test_api_page_render.py checks the bytes against the validated path.
    return api.create_response(request, page_out, status=200)


@api.post("/threads/{thread_id}/comments", response={201: CommentOut, 202: CommentOut, **WRITE},
          auth=AUTH, tags=["comments"])
def create_comment(request: HttpRequest, thread_id: Id, data: CommentIn) -> Any:
    """Post a comment or a reply (`parent`). 201 when published, 202 when held for
    moderation (then only its author and moderators see it)."""
    thread = _thread(thread_id)
    quote = None
    if data.quote is not None:
        quote = actions.QuoteRef(text=data.quote.text, comment_id=data.quote.comment_id,
                                 of_target=data.quote.of_target)
    result = actions.post_comment(
        author=request.auth,
        thread=thread,
        body=data.body,
        parent_id=data.parent,
        quote=quote,
        client_token=data.client_token,
        ip_address=_client_ip(request),
    )
    comment = _comment(result.comment.pk)
    status = 201 if comment.status == CommentStatus.PUBLISHED else 202
    return Status(status, serialize.single_comment_out(comment, shown=True))


# --- Comments -------------------------------------------------------------------------


@api.get("/comments/{comment_id}", response={200: CommentOut, **READ}, tags=["comments"])
def get_comment(request: HttpRequest, comment_id: Id) -> Any:
    """One comment without its replies. A comment held for moderation is found only by
    its author and moderators; a removed one shows as a placeholder."""
    user = _viewer_user(request)
    viewer = Viewer.of(user)
    comment = _comment(comment_id)
    shown = viewer.sees_text(comment)
    if not shown and comment.status == CommentStatus.PENDING:
        raise not_found()
    my_vote = 0
    if viewer.user_id:
        my_vote = (
            Vote.objects.filter(comment=comment, user_id=viewer.user_id)
            .values_list("value", flat=True)
            .first()
            or 0
        )
    return serialize.single_comment_out(comment, shown=shown, my_vote=my_vote)


@api.patch("/comments/{comment_id}", response={200: CommentOut, **WRITE}, auth=AUTH,
           tags=["comments"])
def edit_comment(request: HttpRequest, comment_id: Id, data: EditIn) -> Any:
    """Change the text of one's own comment within the edit window."""
    actions.edit_comment(user=request.auth, comment_id=comment_id, body=data.body)
    return serialize.single_comment_out(_comment(comment_id), shown=True)


@api.delete("/comments/{comment_id}", response={204: None, **WRITE}, auth=AUTH,
            tags=["comments"])
def delete_comment(request: HttpRequest, comment_id: Id) -> Any:
    """Delete one's own comment; its replies stay under a placeholder."""
    actions.delete_comment(user=request.auth, comment_id=comment_id)
    return Status(204, None)


@api.post("/comments/{comment_id}/vote", response={200: VoteOut, **WRITE}, auth=AUTH,
          tags=["comments"])
def vote(request: HttpRequest, comment_id: Id, data: VoteIn) -> Any:
    comment = actions.vote_comment(user=request.auth, comment_id=comment_id, value=data.value)
    return {"id": comment.pk, "score": comment.score, "upvotes": comment.upvotes,
            "downvotes": comment.downvotes, "my_vote": data.value}


# --- The caller -----------------------------------------------------------------------


@api.get("/me", response={200: MeOut, **errors(401)}, auth=AUTH, tags=["me"])
def me(request: HttpRequest) -> Any:
    return serialize.me_out(request.auth)


def _personal_only(request: HttpRequest) -> None:
    token = getattr(request, "api_token", None)
    if token is not None and token.kind != TokenKind.PERSONAL:
        raise ActionError("token_scope", "An embed sign-in token cannot manage API tokens.",
                          status=403)


@api.get("/me/tokens", response={200: list[TokenOut], **errors(401, 403)}, auth=AUTH,
         tags=["me"])
def list_tokens(request: HttpRequest) -> Any:
    _personal_only(request)
    tokens = ApiToken.objects.filter(user=request.auth, kind=TokenKind.PERSONAL).order_by("pk")
    return [serialize.token_out(t) for t in tokens]


@api.post("/me/tokens", response={201: NewTokenOut, **errors(400, 401, 403, 409, 422)},
          auth=AUTH, tags=["me"])
def create_token(request: HttpRequest, data: TokenIn) -> Any:
    """A personal API token. The secret is in this response only; Veche keeps its hash."""
    _personal_only(request)
    if ApiToken.objects.filter(user=request.auth, kind=TokenKind.PERSONAL).count() >= 20:
        raise ActionError("too_many_tokens", "Revoke a token first: at most 20.", status=409)
    token, secret = issue_token(request.auth, name=data.name)
    return Status(201, serialize.token_out(token, secret))


@api.delete("/me/tokens/{token_id}", response={204: None, **errors(401, 403, 404, 422)},
            auth=AUTH, tags=["me"])
def revoke_token(request: HttpRequest, token_id: Id) -> Any:
    _personal_only(request)
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=request.auth).delete()
    if not deleted:
        raise not_found("token")
    return Status(204, None)


@api.post("/me/signout", response={204: None, **errors(401, 403)}, auth=AUTH, tags=["me"])
def sign_out(request: HttpRequest) -> Any:
    """Revoke the bearer token this call was made with (the embed's "sign out")."""
    token = getattr(request, "api_token", None)
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).delete()
    return Status(204, None)


@api.post("/sso", response={200: SignedInOut, **errors(400, 401, 403, 422)}, tags=["me"])
def single_sign_on(request: HttpRequest, data: SsoIn) -> Any:
    """Exchange a host site's signed token for a short-lived bearer token of its SSO
    account on Veche."""
    site = allowed_site(data.origin)
    user = sso_user(site, verify_sso(site, data.token))
    token, secret = issue_token(user, kind=TokenKind.EMBED, site=site, name=site.name)
    return {"token": secret, "expires": token.expires_at, "user": serialize.me_out(user)}
