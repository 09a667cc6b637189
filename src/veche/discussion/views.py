"""Web views of the discussion: parse, call an action or selector, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from veche.accounts.session_user import user_read_with_its_query
from veche.core.rows import by_pk
from veche.core.urlbuild import url_maker
from veche.discussion import actions
from veche.discussion.errors import ActionError
from veche.discussion.forms import EditForm, ParsedComment, VoteForm
from veche.discussion.models import Comment, CommentStatus, Thread
from veche.discussion.selectors import Viewer, get_continued_thread, locate_comment
from veche.discussion.text import plain_text
from veche.discussion.web import form_context, render_tree_page


def _wants_json(request: HttpRequest) -> bool:
    # META, not request.headers: the headers object is built from all of META on
    # first use, for two values.
    meta = request.META
    return meta.get("HTTP_X_REQUESTED_WITH") == "fetch" or "application/json" in (
        meta.get("HTTP_ACCEPT", "")
    )


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _with_retry_after(response: HttpResponse, error: ActionError | None) -> HttpResponse:
    """A rate-limited request (429) tells the client when to try again."""
    if error is not None and error.status == 429 and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def _get_comment(comment_id: int) -> Comment:
    comment = Comment.objects.select_related("thread", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("There is no such comment.")
    return comment


def _form_html(request: HttpRequest, thread: Thread, **extra: Any) -> str:
    context = {**form_context(request, thread), **extra}
    return mark_safe(get_template("discussion/form.html", using="jinja2").render(context))  # noqa: S308


def _form_page(
    request: HttpRequest,
    thread: Thread,
    *,
    status: int = 200,
    replying_to: Comment | None = None,
    **extra: Any,
) -> HttpResponse:
    """A page with just the form: replies without JavaScript, and any failed post,
    which gets its typed text back."""
    return render(
        request,
        "discussion/form_page.html",
        {
            "thread": thread,
            "replying_to": replying_to,
            "replying_to_text": plain_text(replying_to.body_html) if replying_to else "",
            "form_html": _form_html(request, thread, **extra),
        },
        status=status,
    )


@require_POST
@user_read_with_its_query  # the author's row comes with the facts and the thread
def post(request: HttpRequest, thread_id: int) -> HttpResponse:
    form = ParsedComment(request.POST)  # every field is optional; the action checks content
    data = form.cleaned_data
    body = request.POST.get("body", "")
    try:
        if form.error:
            field = form.error
            raise ActionError("bad_field", f"The field '{field}' is malformed.", field=field)
        # The thread's id: posting reads its row with the author's facts.
        result = actions.post_comment(
            author=request.user,
            thread=thread_id,
            body=body,
            parent_id=data.get("parent"),
            quote=form.quote(),
            client_token=data.get("client_token") or "",
            ip_address=_client_ip(request),
        )
    except ActionError as error:
        thread = by_pk(Thread, thread_id)  # a missing thread comes before any refusal
        if thread is None:
            raise Http404("There is no such discussion.") from None
        if _wants_json(request):
            return _with_retry_after(JsonResponse(error.as_dict(), status=error.status), error)
        parent = Comment.objects.filter(pk=data.get("parent") or 0, thread=thread).first()
        return _with_retry_after(_form_page(
            request,
            thread,
            status=error.status,
            replying_to=parent,
            error=error.message,
            body=body,
            parent_id=data.get("parent"),
            quote_text=request.POST.get("quote_text", ""),
            quote_comment=data.get("quote_comment"),
            quote_target=data.get("quote_target"),
        ), error)
    comment = result.comment
    url = url_maker("discussion:permalink")(comment.pk)
    if _wants_json(request):
        return JsonResponse(
            {"id": comment.pk, "status": comment.status, "url": url},
            status=201 if comment.status == CommentStatus.PUBLISHED else 202,
        )
    return HttpResponseRedirect(url)


def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The reply form for one comment (used when JavaScript is off); ?quote=1 quotes it."""
    comment = _get_comment(comment_id)
    if comment.status != CommentStatus.PUBLISHED:
        raise Http404("This comment takes no replies.")
    quoting = request.GET.get("quote") == "1"
    return _form_page(
        request,
        comment.thread,
        replying_to=comment,
        parent_id=comment.pk,
        form_title=f"Reply to {comment.author_name}",
        quote_comment=comment.pk if quoting else None,
        quote_author=comment.author_name if quoting else "",
        quote_text=" ".join(plain_text(comment.body_html).split()) if quoting else "",
    )


def comment_on_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("There is no such discussion.")
    return _form_page(request, thread)


def permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _get_comment(comment_id)
    kind, where, after = locate_comment(comment, viewer=Viewer.of(request.user))
    if kind == "continue":
        url = reverse("discussion:continue", args=[where])
        if after:
            url += "?" + urlencode({"after": after})
        return HttpResponseRedirect(f"{url}#c{comment.pk}")
    base = comment.thread.url or reverse("discussion:continue", args=[comment.root_id_or_self])
    query = f"?page={where}" if where > 1 else ""
    return HttpResponseRedirect(f"{base}{query}#c{comment.pk}")


def continue_thread(request: HttpRequest, comment_id: int) -> HttpResponse:
    head = _get_comment(comment_id)
    after = request.GET.get("after", "")
    if after and (not after.startswith(head.path) or len(after) > 2400):
        return HttpResponse("The 'after' position is not in this thread.", status=400)
    page = get_continued_thread(head, viewer=Viewer.of(request.user), after=after)
    html = render_tree_page(
        request, "discussion/continued.html", {"page": page, "thread": head.thread}, [page.head]
    )
    return render(
        request,
        "discussion/continued_page.html",
        {"thread": head.thread, "head": head, "tree_html": html},
    )


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _get_comment(comment_id)
    error, status, body = "", 200, comment.body_markdown
    refused: ActionError | None = None
    if request.method == "POST":
        form = EditForm(request.POST)
        form.is_valid()
        body = form.cleaned_data.get("body", "")
        try:
            actions.edit_comment(user=request.user, comment_id=comment.pk, body=body)
            return HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]))
        except ActionError as e:
            error, status, refused = e.message, e.status, e
    elif not request.user.is_authenticated or comment.author_id != request.user.pk:
        error, status = "You can only change your own comments.", 403
    return _with_retry_after(render(
        request,
        "discussion/edit.html",
        {"comment": comment, "body": body, "error": error},
        status=status,
    ), refused)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _get_comment(comment_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            actions.delete_comment(user=request.user, comment_id=comment.pk)
            return HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]))
        except ActionError as e:
            error, status = e.message, e.status
    elif not request.user.is_authenticated or comment.author_id != request.user.pk:
        error, status = "You can only delete your own comments.", 403
    return render(
        request, "discussion/delete.html", {"comment": comment, "error": error}, status=status
    )


@require_POST
def vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    form = VoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError("bad_vote", "A vote is +1, -1, or 0 to withdraw it.", field="value")
        comment = actions.vote_comment(
            user=request.user, comment_id=comment_id, value=form.cleaned_data["value"]
        )
    except ActionError as error:
        if _wants_json(request):
            return _with_retry_after(JsonResponse(error.as_dict(), status=error.status), error)
        return _with_retry_after(render(
            request, "discussion/error.html", {"error": error.message}, status=error.status
        ), error)
    if _wants_json(request):
        return JsonResponse(
            {
                "id": comment.pk,
                "score": comment.score,
                "upvotes": comment.upvotes,
                "downvotes": comment.downvotes,
                "my_vote": form.cleaned_data["value"],
            }
        )
    return HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]))
