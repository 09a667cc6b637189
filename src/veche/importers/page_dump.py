"""Parse a plain-text dump of one article page: the article and its comment tree.

Pure text in, dataclasses out; no Django, so the rules can be tested on their own.

The format (see demo/military-review-article.txt):

    line 1      masthead (the publication's name)
    then        the title, the lead paragraph, the body paragraphs (blank-line separated)
    then        a byline ("Observed and commented on NAME", "Author: NAME", "Posted by NAME")
    then        optionally "- especially for [PUBLICATION]" (an exclusive), then site
                boilerplate ("Dear reader, ...", "I have an account? Sign in"), ignored
    then        the comments. A comment at depth d (0 = top level) is

                    <2 + 2d spaces>N. NAME
                    <2 + 2d + 2 spaces>NAME D Month YYYY HH: MM
                    <2 + 2d + 2 spaces or more>body lines (blank lines between paragraphs)

                followed by its replies, whose numbered lines sit at its body's indent.
                N counts siblings from 1. A body may start with "Quote: NAME" and the
                quoted lines, or with an unmarked, loose quote of the article.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}

NUMBERED = re.compile(r"^(?P<indent> *)(?P<number>\d+)\. (?P<name>\S.*?)\s*$")
HEADER = re.compile(
    r"^(?P<name>\S.*?) (?P<day>\d{1,2}) (?P<month>[A-Za-z]+) (?P<year>\d{4}) "
    r"(?P<hour>\d{1,2}): ?(?P<minute>\d{2})\s*$"
)
HEADER_FORMAT = "'NAME D Month YYYY HH: MM'"
BYLINE = re.compile(
    r"^\s*(?:Observed and commented on|Author:|Posted by)\s+(?P<name>\S.*?)\s*$",
    re.IGNORECASE,
)
EXCLUSIVE = re.compile(r"^\s*-\s*especially for\b", re.IGNORECASE)
QUOTE = re.compile(r"^Quote:\s*(?P<name>\S.*?)\s*$", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»']?\s+")
SPACE = re.compile(r"\s+")
# As veche.discussion.text folds them (plus the ellipsis), without importing Django.
PUNCT_FOLD = str.maketrans(
    {"“": '"', "”": '"', "«": '"', "»": '"', "\u2019": "'", "\u2018": "'", "…": "..."}
)

# A leading line counts as an unmarked quote of the article when its words are this
# similar (difflib ratio) to those of a run of the article's sentences. On the reference
# page the three paraphrases score 0.78-0.88, every other first or second line of a
# comment 0.28 at most.
ARTICLE_QUOTE_RATIO = 0.6
ARTICLE_QUOTE_MIN_WORDS = 6
WORD = re.compile(r"\w+")


class PageFormatError(ValueError):
    """The dump does not follow the format; names the 1-based line."""

    def __init__(self, line_no: int, message: str) -> None:
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no
        self.message = message


@dataclass
class ParsedComment:
    position: str  # dotted sibling numbers, "4.1.2"; stable within the page
    depth: int  # 0 for a top-level comment
    name: str
    created: datetime  # naive: the page's own clock, zone unknown to the parser
    line_no: int  # the numbered line
    body: str = ""  # the comment's own text: paragraphs "\n\n", line breaks "\n"
    quote_name: str | None = None  # as written after "Quote:", or the article's title
    quote_text: str | None = None
    quotes_article: bool = False
    quoted_position: str | None = None  # the quoted comment, when found on the page
    parent: ParsedComment | None = field(default=None, repr=False)
    children: list[ParsedComment] = field(default_factory=list, repr=False)
    lines: list[str] = field(default_factory=list, repr=False)  # raw body, before quotes

    @property
    def key(self) -> str:
        """"NAME@YYYY-MM-DD HH:MM", readable in tests and messages."""
        return f"{self.name}@{self.created:%Y-%m-%d %H:%M}"


@dataclass
class ParsedPage:
    publication: str
    title: str
    lead: str
    body_paragraphs: list[str]
    author_name: str
    is_exclusive: bool
    comments: list[ParsedComment]  # the top-level ones; replies hang off .children

    def walk(self) -> Iterator[ParsedComment]:
        """Every comment in page order (each one followed by its replies)."""
        stack = list(reversed(self.comments))
        while stack:
            comment = stack.pop()
            yield comment
            stack.extend(reversed(comment.children))


def normalise(text: str) -> str:
    """Case, spacing and typographic quotes folded, as the discussion app matches quotes."""
    return SPACE.sub(" ", text.translate(PUNCT_FOLD)).strip().casefold()


def normalise_text(text: str) -> str:
    """The file's text with line endings, a BOM and trailing spaces made uniform."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def parse_page(text: str) -> ParsedPage:
    lines = normalise_text(text).split("\n")[:-1]
    if not lines or not lines[0].strip():
        raise PageFormatError(1, "expected the publication's name (the masthead)")
    comments_start = next(
        (i for i, line in enumerate(lines) if line.startswith(" ") and NUMBERED.match(line)),
        len(lines),
    )
    byline_at = next(
        (i for i in range(comments_start - 1, 0, -1) if BYLINE.match(lines[i])), None
    )
    if byline_at is None:
        raise PageFormatError(
            comments_start, "no byline ('Observed and commented on NAME') before the comments"
        )
    paragraphs = _paragraphs(lines, 1, byline_at)
    if len(paragraphs) < 2:
        raise PageFormatError(byline_at + 1, "expected a title and a lead before the byline")
    title, lead, body = paragraphs[0], paragraphs[1], paragraphs[2:]
    # Everything between the byline and the comments is site furniture except the
    # "especially for" mark.
    is_exclusive = any(EXCLUSIVE.match(line) for line in lines[byline_at + 1 : comments_start])
    roots = _parse_comments(lines, comments_start)
    page = ParsedPage(
        publication=lines[0].strip(),
        title=title,
        lead=lead,
        body_paragraphs=body,
        author_name=BYLINE.match(lines[byline_at]).group("name"),  # type: ignore[union-attr]
        is_exclusive=is_exclusive,
        comments=roots,
    )
    _resolve_quotes(page)
    return page


def _paragraphs(lines: list[str], start: int, end: int) -> list[str]:
    out: list[list[str]] = [[]]
    for line in lines[start:end]:
        if line.strip():
            out[-1].append(line.strip())
        elif out[-1]:
            out.append([])
    return [" ".join(p) for p in out if p]


def _parse_comments(lines: list[str], start: int) -> list[ParsedComment]:
    roots: list[ParsedComment] = []
    stack: list[ParsedComment] = []  # the current comment and its ancestors
    i = start
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            if stack:
                stack[-1].lines.append("")
            continue
        indent = len(line) - len(line.lstrip(" "))
        current = stack[-1] if stack else None
        body_indent = 2 * (current.depth + 2) if current else 2
        numbered = NUMBERED.match(line)
        if numbered and _starts_comment(lines, i - 1, indent, numbered, current, body_indent):
            comment = _open_comment(lines, i - 1, indent, numbered, stack, roots)
            stack[comment.depth :] = [comment]
            i += 1  # past the header line, which _open_comment read
            continue
        if current is None:
            raise PageFormatError(i, f"expected a numbered comment line, got {line!r}")
        if indent < body_indent:
            raise PageFormatError(
                i,
                f"text indented by {indent} spaces; the body of {current.name!r}"
                f" (line {current.line_no}) is indented by {body_indent}",
            )
        current.lines.append(line[body_indent:].rstrip())
    return roots


def _starts_comment(
    lines: list[str],
    i: int,
    indent: int,
    numbered: re.Match[str],
    current: ParsedComment | None,
    body_indent: int,
) -> bool:
    """Whether a "N. NAME" line opens a comment, or is a numbered list in a body."""
    if current is None or indent < body_indent:
        return True  # no body could be here, so it must be a comment (or an error)
    header = lines[i + 1] if i + 1 < len(lines) else ""
    # A comment's header is indented deeper and repeats its name; a list item in a body
    # is followed by a line at its own indent (the next item, or more text).
    header_indent = len(header) - len(header.lstrip(" "))
    return header_indent == indent + 2 or header.strip().startswith(numbered.group("name"))


def _open_comment(
    lines: list[str],
    i: int,
    indent: int,
    numbered: re.Match[str],
    stack: list[ParsedComment],
    roots: list[ParsedComment],
) -> ParsedComment:
    line, line_no = lines[i], i + 1
    if indent < 2 or indent % 2:
        raise PageFormatError(
            line_no, f"a comment line must be indented by 2, 4, 6, ... spaces: {line!r}"
        )
    depth = (indent - 2) // 2
    if depth > len(stack):
        if not stack:
            raise PageFormatError(line_no, f"a reply before any top-level comment: {line!r}")
        raise PageFormatError(
            line_no,
            f"indentation jumps from depth {len(stack) - 1} to {depth}: {line!r}"
            f" (a reply must be indented 2 spaces more than its parent)",
        )
    parent = stack[depth - 1] if depth else None
    siblings = parent.children if parent else roots
    number = int(numbered.group("number"))
    if number != len(siblings) + 1:
        after = f"after number {len(siblings)}" if siblings else "as the first"
        raise PageFormatError(
            line_no, f"comment numbered {number} {after}; expected {len(siblings) + 1}: {line!r}"
        )
    name = numbered.group("name")
    header_line = lines[i + 1] if i + 1 < len(lines) else ""
    header = HEADER.match(header_line.strip())
    if header is None or len(header_line) - len(header_line.lstrip(" ")) != indent + 2:
        raise PageFormatError(
            line_no + 1,
            f"expected a comment header {HEADER_FORMAT} indented by {indent + 2} spaces"
            f" after {line!r}",
        )
    if header.group("name") != name:
        raise PageFormatError(
            line_no + 1, f"the header names {header.group('name')!r}, the comment {name!r}"
        )
    created = _header_time(header, line_no + 1)
    if parent is not None and created < parent.created:
        raise PageFormatError(
            line_no + 1, f"a reply dated before its parent (line {parent.line_no})"
        )
    position = f"{parent.position}.{number}" if parent else str(number)
    comment = ParsedComment(
        position=position, depth=depth, name=name, created=created, line_no=line_no,
        parent=parent,
    )
    siblings.append(comment)
    return comment


def _header_time(header: re.Match[str], line_no: int) -> datetime:
    month = MONTHS.get(header.group("month").casefold())
    if month is None:
        raise PageFormatError(line_no, f"unknown month {header.group('month')!r}")
    try:
        return datetime(  # noqa: DTZ001 - the dump has no zone; the loader adds one
            int(header.group("year")), month, int(header.group("day")),
            int(header.group("hour")), int(header.group("minute")),
        )
    except ValueError as exc:
        raise PageFormatError(line_no, f"impossible date or time: {exc}") from None


# --- Quotes --------------------------------------------------------------------------


def _resolve_quotes(page: ParsedPage) -> None:
    """Split each body into its quote and its own text, and find what it quotes.

    Comments are taken in posting order, so a quoted comment (always posted earlier) has
    its own text settled before anyone's quote is matched against it.
    """
    in_order = sorted(
        enumerate(page.walk()), key=lambda pair: (pair[1].created, pair[0])
    )
    sentences = _sentences([page.title, page.lead, *page.body_paragraphs])
    done: list[ParsedComment] = []
    for _, comment in in_order:
        lines = _trim(comment.lines)
        quote = QUOTE.match(lines[0]) if lines else None
        if quote:
            _split_comment_quote(comment, quote.group("name"), lines[1:], done)
        else:
            _split_article_quote(comment, lines, sentences, page.title)
        done.append(comment)


def _split_comment_quote(
    comment: ParsedComment, name: str, lines: list[str], earlier: list[ParsedComment]
) -> None:
    wanted = normalise(name)
    sources = [c for c in reversed(earlier) if normalise(c.name) == wanted]
    best: tuple[int, ParsedComment | None] = (0, None)
    for source in sources:  # most recent first; a longer match wins, a tie keeps recent
        length = _quoted_run(lines, normalise(source.body.replace("\n", " ")))
        if length > best[0]:
            best = (length, source)
    length, source = best
    if source is None:
        # The quoted comment is not on the page: the quote runs to the first blank line.
        length = lines.index("") if "" in lines else min(1, len(lines))
    comment.quote_name = name
    comment.quote_text = _text(lines[:length])
    comment.quoted_position = source.position if source else None
    comment.body = _text(lines[length:])


def _quoted_run(lines: list[str], source: str) -> int:
    """How many leading lines appear in the source; blank lines only inside the run."""
    length = 0
    for n, line in enumerate(lines, start=1):
        if not line:
            continue
        if normalise(line) not in source:
            break
        length = n
    return length


def _split_article_quote(
    comment: ParsedComment, lines: list[str], sentences: list[list[str]], title: str
) -> None:
    # Readers paste a line of the article (often retyped, often after "...") as the
    # first line of their comment without marking it; take leading lines that closely
    # match the article, as long as some text of the reader's own remains.
    quoted = 0
    while quoted < len(lines) and lines[quoted] and _resembles_article(lines[quoted], sentences):
        quoted += 1
    if quoted and _text(lines[quoted:]):
        comment.quotes_article = True
        comment.quote_name = title
        comment.quote_text = _text(lines[:quoted])
        lines = lines[quoted:]
    comment.body = _text(lines)


def _sentences(paragraphs: list[str]) -> list[list[str]]:
    """The article's sentences, each as its words."""
    out: list[list[str]] = []
    for paragraph in paragraphs:
        out.extend(WORD.findall(s) for s in SENTENCE_END.split(normalise(paragraph)) if s)
    return [words for words in out if words]


def _resembles_article(line: str, sentences: list[list[str]]) -> bool:
    # Compared word by word: retyped quotes swap words ("permanent" -> "constant"),
    # and words are few enough to compare a line with every run of sentences quickly.
    words = WORD.findall(normalise(line))
    if len(words) < ARTICLE_QUOTE_MIN_WORDS:
        return False
    count = max(1, len(SENTENCE_END.split(normalise(line))))
    for size in sorted({max(1, count - 1), count, count + 1}):
        for start in range(len(sentences) - size + 1):
            candidate = [w for sentence in sentences[start : start + size] for w in sentence]
            matcher = difflib.SequenceMatcher(None, words, candidate, autojunk=False)
            if (
                matcher.real_quick_ratio() >= ARTICLE_QUOTE_RATIO
                and matcher.quick_ratio() >= ARTICLE_QUOTE_RATIO
                and matcher.ratio() >= ARTICLE_QUOTE_RATIO
            ):
                return True
    return False


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def _text(lines: list[str]) -> str:
    """Lines to text: runs of blank lines become one paragraph break."""
    paragraphs: list[list[str]] = [[]]
    for line in _trim(lines):
        if line:
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)
