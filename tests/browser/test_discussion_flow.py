"""A reader's whole path in a real browser: register, verify by the mailed link, sign in,
comment, reply quoting selected text, vote, and find it all nested after a reload."""

from __future__ import annotations

import re

from django.core import mail

from tests.discussion.factories import add_comment
from tests.newsroom.factories import make_article
from veche.accounts.actions import create_imported_user

PASSWORD = "Correct-Horse-42"


def confirmation_link(live_url: str) -> str:
    [message] = [m for m in mail.outbox if "confirm" in m.body.lower()]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    return live_url + link[link.index("/accounts/"):]


def test_reader_registers_comments_quotes_and_votes(live_server, page):
    article = make_article("Caliphate is getting closer to Russia", lead="Islamists are defeated.")
    nexus = create_imported_user("NEXUS", source="test")
    nexus_comment = add_comment(
        article.thread, nexus,
        "Syria is not the end of the war with ISIS. So let's see what happens next.",
    )
    url = live_server.url

    # Register.
    page.goto(url + "/accounts/signup/")
    page.fill("input[name=email]", "reader@example.org")
    page.fill("input[name=username]", "newreader")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    # The article says what is missing before the address is confirmed.
    page.goto(url + article.get_absolute_url())
    assert page.locator("#comment-form").count() == 0

    # Verify by the mailed link, then sign out and sign in again by e-mail.
    page.goto(confirmation_link(url))
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    page.goto(url + "/accounts/logout/")
    page.click("form button[type=submit]")
    page.goto(url + "/accounts/login/")
    page.fill("input[name=login]", "reader@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    # Comment on the article.
    page.goto(url + article.get_absolute_url())
    page.fill("#comment-body", "A top-level comment from the browser.")
    page.click("#comment-form .d-form__submit")
    page.wait_for_url(re.compile(r".*#c\d+$"))
    assert page.locator(".c__text", has_text="A top-level comment from the browser.").count() == 1

    # Select part of NEXUS's comment and press Quote: the reply starts with that quote.
    page.evaluate(
        """(id) => {
            const p = document.querySelector(`#c${id} .c__text p`);
            const text = p.firstChild;
            const start = text.data.indexOf("So let");
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + "So let's see".length);
            const sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
        }""",
        nexus_comment.pk,
    )
    page.click(f"#c{nexus_comment.pk} [data-action=quote]")
    assert page.input_value("#quote-text") == "So let's see"
    assert page.locator(f"#c{nexus_comment.pk} #comment-form").count() == 1  # form moved under it
    page.fill("#comment-body", "We shall see indeed.")
    page.click("#comment-form .d-form__submit")
    page.wait_for_url(re.compile(r".*#c\d+$"))

    # Vote NEXUS up without a page load.
    page.click(f"#c{nexus_comment.pk} > .c__box .c__vote-up")
    page.wait_for_function(
        "(id) => document.querySelector(`#c${id} > .c__box [data-score]`).textContent === '+1'",
        arg=nexus_comment.pk,
    )

    # After a reload everything is there, nested.
    page.reload()
    nexus_li = page.locator(f"#c{nexus_comment.pk}")
    reply = nexus_li.locator(".c__replies > li.c").first
    assert reply.locator(".c__author").inner_text() == "newreader"
    assert reply.locator(".c__quote-source").inner_text() == "Quote: NEXUS"
    assert "So let's see" in reply.locator(".c__quote").inner_text()
    assert reply.locator(".c__text").inner_text().strip() == "We shall see indeed."
    assert reply.locator(".c__num").inner_text() == "1."
    assert nexus_li.locator("> .c__box [data-score]").inner_text() == "+1"
    assert nexus_li.locator("> .c__box .c__vote-up").get_attribute("aria-pressed") == "true"
    assert page.locator(".discussion__count").inner_text() == "3"
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
