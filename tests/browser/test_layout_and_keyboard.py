"""The discussion on a 360-px phone and with the keyboard alone."""

from __future__ import annotations

from tests.discussion.factories import add_comment
from tests.newsroom.factories import make_article


def deep_article(make_user, depth: int = 9):
    article = make_article("Deep replies")
    people = [make_user(f"person{i}") for i in range(3)]
    parent = None
    chain = []
    for level in range(depth):
        parent = add_comment(
            article.thread, people[level % 3],
            f"Level {level} with a longish unbroken word "
            "Supercalifragilisticexpialidocious_and_a_very_long_identifier_without_spaces",
            parent,
        )
        chain.append(parent)
    return article, chain


def test_deep_replies_do_not_run_off_a_phone_screen(live_server, page, make_user):
    article, chain = deep_article(make_user)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    deepest_shown = page.locator(f"#c{chain[5].pk}")
    box = deepest_shown.bounding_box()
    assert box["x"] + box["width"] <= 360
    # Beyond the visual depth the thread continues on its own page.
    page.click(f"#c{chain[5].pk} .c__more a")
    page.wait_for_selector(f"#c{chain[6].pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_quoting_works_with_the_keyboard_alone(live_server, page, make_user):
    article = make_article("Keyboard")
    source = add_comment(article.thread, make_user("speaker"), "Words worth quoting.")
    reader = make_user("typist")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", reader.username)
    page.fill("input[name=password]", "pw-Secret-123")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    page.goto(live_server.url + article.get_absolute_url())
    quote = page.locator(f"#c{source.pk} [data-action=quote]")
    quote.focus()
    page.keyboard.press("Enter")
    assert page.input_value("#quote-text") == "Words worth quoting."
    assert page.evaluate("document.activeElement.id") == "comment-body"
    page.keyboard.type("Quoted from the keyboard.")
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Quoted from the keyboard.")
    reply = page.locator(f"#c{source.pk} .c__replies > li").first
    assert reply.locator(".c__quote-source").inner_text() == "Quote: speaker"
