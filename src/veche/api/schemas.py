"""The API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

MAX_ID = 2**53 - 1  # ids a JavaScript number holds exactly
Sort = Literal["oldest", "newest", "best"]


class In(Schema):
    """Request bodies: no NUL characters (PostgreSQL text cannot hold them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("NUL characters are not allowed")
        return value


class Error(Schema):
    code: str = Field(description="A stable machine-readable code, e.g. 'thread_closed'.")
    message: str = Field(description="A sentence for the reader.")
    field: str | None = Field(None, description="The request field at fault, if any.")


class AuthorOut(Schema):
    name: str
    username: str | None = None
    avatar: str
    profile: str | None = None


class QuoteOut(Schema):
    comment_id: int | None
    of_target: bool
    text: str
    author_name: str


class CommentOut(Schema):
    id: int
    thread: int
    parent: int | None
    number: int = Field(description="Position among its siblings as the page shows it.")
    author: AuthorOut | None = Field(description="null for a removed comment's placeholder.")
    html: str = Field(description="The sanitised body, presented; empty for a placeholder.")
    created: datetime
    edited: datetime | None
    score: int
    upvotes: int
    downvotes: int
    my_vote: int
    status: str = Field(
        description="published; pending (only to its author and moderators); deleted or "
        "removed for a placeholder kept for its replies."
    )
    quote: QuoteOut | None
    url: str
    replies: list[CommentOut] = Field(default_factory=list)
    more_replies: int = 0
    continues: bool = Field(False, description="Has replies deeper than this view shows.")


CommentOut.model_rebuild()


class ThreadOut(Schema):
    id: int
    title: str
    url: str
    comment_count: int
    accepts_comments: bool
    page: str = Field(description="Veche's own page of the discussion.")


class CommentPage(Schema):
    thread: ThreadOut
    sort: Sort
    page: int
    page_count: int
    comments: list[CommentOut]


class ThreadIn(In):
    article: int | None = Field(None, ge=1, le=MAX_ID, description="A newsroom article id.")
    origin: str | None = Field(
        None, max_length=300, description="An allowed site's origin; defaults to Origin."
    )
    uri: str | None = Field(None, max_length=1000, description='A path on that site: "/post/42".')
    title: str = Field("", max_length=500)


class CountsIn(In):
    origin: str | None = Field(None, max_length=300)
    uris: list[str] = Field(..., max_length=100, description="Paths or absolute URLs.")


class CountsOut(Schema):
    counts: dict[str, int]


class QuoteIn(In):
    comment_id: int | None = Field(None, ge=1, le=MAX_ID)
    of_target: bool = False
    text: str = Field(..., max_length=10_000)


class CommentIn(In):
    body: str = Field(..., max_length=100_000)
    parent: int | None = Field(None, ge=1, le=MAX_ID)
    quote: QuoteIn | None = None
    client_token: str = Field("", max_length=64, description="Repeats return the first post.")


class EditIn(In):
    body: str = Field(..., max_length=100_000)


class VoteIn(In):
    value: int = Field(..., ge=-1, le=1, description="+1, -1, or 0 to withdraw.")


class VoteOut(Schema):
    id: int
    score: int
    upvotes: int
    downvotes: int
    my_vote: int


class MeOut(Schema):
    id: int
    username: str
    name: str
    avatar: str
    profile: str
    can_participate: bool
    refusal: str | None = Field(None, description="Why the account may not take part.")


class TokenIn(In):
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    kind: str
    created: datetime
    last_used: datetime | None
    expires: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret: shown this once, never again.")


class SsoIn(In):
    origin: str = Field(..., max_length=300)
    token: str = Field(..., max_length=4000)


class SignedInOut(Schema):
    token: str = Field(description="A short-lived bearer token for the embed.")
    expires: datetime | None
    user: MeOut
