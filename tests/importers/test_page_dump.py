"""The page-dump parser against the hand-counted pages, and malformed dumps."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.importers import pages
from veche.importers.page_dump import PageFormatError, ParsedPage, parse_page


def parse(path) -> ParsedPage:
    return parse_page(path.read_text(encoding="utf-8"))


def keyed(page: ParsedPage) -> dict[str, object]:
    return {c.key: c for c in page.walk()}


def test_reference_article_fields():
    page = parse(pages.REFERENCE)
    assert page.publication == "Military Review"
    assert page.title == pages.REF_TITLE
    assert page.lead.startswith("Islamist terrorists are defeated in Syria and Iraq.")
    assert len(page.body_paragraphs) == pages.REF_BODY_PARAGRAPHS
    assert page.body_paragraphs[0].startswith("The militants of the Islamic State")
    assert page.body_paragraphs[-1].startswith("As for Russia, there is a high danger")
    assert page.author_name == pages.REF_AUTHOR
    assert page.is_exclusive is True


@pytest.mark.parametrize(
    ("path", "count", "roots", "max_depth", "parents", "users"),
    [
        (pages.REFERENCE, pages.REF_COMMENTS, pages.REF_TOP_LEVEL, pages.REF_MAX_DEPTH,
         pages.REF_PARENTS, pages.REF_USERS),
        (pages.HARBOUR, pages.HARBOUR_COMMENTS, pages.HARBOUR_TOP_LEVEL,
         pages.HARBOUR_MAX_DEPTH, pages.HARBOUR_PARENTS, pages.HARBOUR_USERS),
    ],
    ids=["reference", "harbour"],
)
def test_tree(path, count, roots, max_depth, parents, users):
    page = parse(path)
    comments = list(page.walk())
    assert len(comments) == count
    assert len(page.comments) == roots
    assert max(c.depth for c in comments) == max_depth
    assert len({c.name for c in comments}) == users
    assert {c.key: c.parent.key if c.parent else None for c in comments} == parents
    for comment in comments:
        assert comment.depth == comment.position.count(".")


def test_reference_positions_and_times():
    by_key = keyed(parse(pages.REFERENCE))
    assert {c.position: k for k, c in by_key.items() if c.position in pages.REF_POSITIONS} \
        == pages.REF_POSITIONS
    # "5 December 2017 16: 04": the space after the colon is the dump's, not a typo.
    assert by_key["NEXUS@2017-12-05 16:04"].created == datetime(2017, 12, 5, 16, 4)
    assert by_key["NEXUS@2017-12-05 16:04"].line_no == 65


@pytest.mark.parametrize(
    ("path", "expected"),
    [(pages.REFERENCE, pages.REF_QUOTES), (pages.HARBOUR, pages.HARBOUR_QUOTES)],
    ids=["reference", "harbour"],
)
def test_quotes(path, expected):
    by_key = keyed(parse(path))
    positions = {c.position: k for k, c in by_key.items()}
    quoting = {k for k, c in by_key.items() if c.quote_text}
    assert quoting == set(expected)
    for key, (source, quote_start, reply) in expected.items():
        comment = by_key[key]
        assert comment.quote_text.startswith(quote_start), key
        assert pages.reply_matches(comment.body, reply), (key, comment.body)
        # The reply is only the reply: no line of the quote is left in it.
        for line in comment.quote_text.split("\n"):
            assert line not in comment.body, key
        if source == pages.ARTICLE:
            assert comment.quotes_article and comment.quoted_position is None, key
        else:
            assert not comment.quotes_article, key
            assert positions[comment.quoted_position] == source, key
            assert comment.quote_text in by_key[source].body, key


def test_reference_quote_names_keep_the_dumps_spelling():
    by_key = keyed(parse(pages.REFERENCE))
    assert by_key["Antares@2017-12-05 23:22"].quote_name == "romey"
    assert by_key["Nyrobsky@2017-12-06 00:56"].quote_name == "kenig1"
    assert by_key["NEXUS@2017-12-05 16:04"].quote_name == pages.REF_TITLE
    # A quote line followed directly by the reply: only the quoted line is the quote.
    assert by_key["Nyrobsky@2017-12-06 00:54"].quote_text == (
        "There will be Iraq and Libya the same Afghanistan. It is only unclear how we will"
        " resolve the issue of these formations in Afghanistan. Although the Russian"
        " Federation has clearly indicated that it reserves the right to strike outside its"
        " own at terrorist bases and camps. So let's see."
    )


def test_reference_bodies_keep_paragraphs_and_line_breaks():
    by_key = keyed(parse(pages.REFERENCE))
    scopolamine = by_key["Scopolamine@2017-12-05 21:16"].body
    assert scopolamine.split("\n\n") == [
        "The news of Iran\u2019s support for the Taliban originally came from Afghan General"
        " Mohammed Sharif Yaftali.",
        "From there, the Americans replicated it. Here are some articles",
        "iban-alliance / 28399944.html\n/ with-us-policy-in-flux-russia-and-iran-challenge\n"
        "= .851c06dc5d10",
    ]
    assert by_key["stas@2017-12-05 17:15"].body.count("\n") == 1
    assert by_key["serge siberian@2017-12-08 18:56"].body.startswith("And when the Americans")


def test_harbour_article_and_bodies():
    page = parse(pages.HARBOUR)
    assert (page.publication, page.title, page.author_name) == (
        pages.HARBOUR_PUBLICATION, pages.HARBOUR_TITLE, pages.HARBOUR_AUTHOR,
    )
    assert page.is_exclusive
    assert len(page.body_paragraphs) == pages.HARBOUR_BODY_PARAGRAPHS
    by_key = keyed(page)
    for key, body in (pages.HARBOUR_MULTI_PARAGRAPH, pages.HARBOUR_LIST_COMMENT):
        assert by_key[key].body == body
    # "1. a departure ..." inside a body is a list, not a reply: it has no header.
    assert [c.key for c in by_key["old skipper@2020-02-03 11:20"].children] == [
        "Sigrid B@2020-02-03 12:03"
    ]


def test_not_exclusive_without_the_mark_and_other_bylines():
    text = pages.HARBOUR.read_text(encoding="utf-8")
    text = text.replace("- especially for The Harbour Gazette\n", "")
    text = text.replace("Posted by Marta Lindqvist", "Author: M. Lindqvist")
    page = parse_page(text)
    assert page.is_exclusive is False
    assert page.author_name == "M. Lindqvist"


def test_quote_of_a_comment_not_on_the_page_ends_at_the_blank_line():
    text = pages.HARBOUR.read_text(encoding="utf-8").replace(
        "            Quote: harbourcat\n", "            Quote: someone gone\n"
    )
    torvald = keyed(parse_page(text))["Torvald@2020-02-03 10:47"]
    assert torvald.quote_name == "someone gone"
    assert torvald.quoted_position is None and not torvald.quotes_article
    assert torvald.quote_text == "They moved the departure to 22:40, after the last bus from town."
    assert torvald.body.startswith("This is exactly the point.")


# --- Malformed dumps -----------------------------------------------------------------


def harbour_text() -> str:
    return pages.HARBOUR.read_text(encoding="utf-8")


def broken(old: str, new: str) -> str:
    text = harbour_text()
    assert old in text
    return text.replace(old, new, 1)


def reply_before_root() -> str:
    head = harbour_text().split("  1. harbourcat\n")[0]
    return head + "    1. Torvald\n      Torvald 3 February 2020 09: 02\n      Hello.\n"


MALFORMED = {
    "bad header": (
        broken("      Torvald 3 February 2020 09: 02", "      Torvald, 3rd of February"),
        "      Torvald, 3rd of February",
        "expected a comment header 'NAME D Month YYYY HH: MM' indented by 6 spaces"
        " after '    1. Torvald'",
    ),
    "unknown month": (
        broken("    Ingrid S. 3 February 2020 14: 12", "    Ingrid S. 3 Febtember 2020 14: 12"),
        "    Ingrid S. 3 Febtember 2020 14: 12",
        "unknown month 'Febtember'",
    ),
    "header names someone else": (
        broken("    Ingrid S. 3 February 2020 14: 12", "    Ingrid 3 February 2020 14: 12"),
        "    Ingrid 3 February 2020 14: 12",
        "the header names 'Ingrid', the comment 'Ingrid S.'",
    ),
    "skipped number": (
        broken("  2. Ingrid S.", "  3. Ingrid S."),
        "  3. Ingrid S.",
        "comment numbered 3 after number 1; expected 2",
    ),
    "first reply numbered 2": (
        broken("    1. Torvald", "    2. Torvald"),
        "    2. Torvald",
        "comment numbered 2 as the first; expected 1",
    ),
    "indentation jumps two levels": (
        broken(
            "      1. harbourcat\n        harbourcat 3 February 2020 09: 30\n",
            "        1. harbourcat\n          harbourcat 3 February 2020 09: 30\n",
        ),
        "        1. harbourcat",
        "indentation jumps from depth 1 to 3",
    ),
    "odd indentation": (
        broken("  2. Ingrid S.\n", "   2. Ingrid S.\n"),
        "   2. Ingrid S.",
        "must be indented by 2, 4, 6, ... spaces",
    ),
    "reply before any root": (
        reply_before_root(),
        "    1. Torvald",
        "a reply before any top-level comment",
    ),
    "reply older than its parent": (
        broken("      Nils-Erik 3 February 2020 13: 30", "      Nils-Erik 2 February 2020 13: 30"),
        "      Nils-Erik 2 February 2020 13: 30",
        "a reply dated before its parent",
    ),
    "body not indented": (
        broken("    Everyone is welcome", "Everyone is welcome"),
        "Everyone is welcome, bring your questions.",
        "text indented by 0 spaces; the body of 'Ingrid S.'",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_dumps_name_the_line(case):
    text, bad_line, message = MALFORMED[case]
    with pytest.raises(PageFormatError) as caught:
        parse_page(text)
    assert caught.value.line_no == pages.line_of(text, bad_line)
    assert str(caught.value).startswith(f"line {caught.value.line_no}: ")
    assert message in str(caught.value)


def test_no_byline():
    text = harbour_text().replace("Posted by Marta Lindqvist\n", "")
    with pytest.raises(PageFormatError, match="no byline"):
        parse_page(text)
