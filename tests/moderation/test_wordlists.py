"""Word lists: inflections, homoglyphs, invisible characters, and one compile per change."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from veche.discussion import actions as discussion
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentStatus
from veche.moderation import text, versions, wordlists
from veche.moderation.models import ModerationFlag, WordListEntry
from veche.moderation.pipeline import content_verdicts


def entry(pattern, kind="suspect", match_type="word", language="any", note=""):
    return WordListEntry.objects.create(
        pattern=pattern, kind=kind, match_type=match_type, language=language, note=note
    )


def actions_of(body, lang=None):
    return [(v.action, v.check) for v in content_verdicts(body, lang)]


@pytest.mark.django_db
def test_english_inflections():
    entry("kill", kind="banned", language="en")
    for body in ("They killed him", "KILLING spree", "he kills", "Kill!"):
        assert actions_of(body) == [("reject", "word_list")], body
    assert actions_of("a skilled worker") == []


@pytest.mark.django_db
def test_russian_inflections():
    entry("уничтожить", language="ru", note="violent language")
    verdicts = content_verdicts("Мы их всех уничтожим завтра")
    assert [(v.action, v.reason) for v in verdicts] == [
        ("hold", "violent language: “уничтожим”")
    ]
    assert actions_of("уничтожили всё") == [("hold", "word_list")]
    assert actions_of("уничтожение") == []  # another lexeme


@pytest.mark.django_db
def test_homoglyphs_zero_width_and_leetspeak():
    entry("napalm", kind="banned")
    assert actions_of("Bring the n\u0430palm") == [("reject", "word_list")]  # Cyrillic а
    assert actions_of("na\u200bpa\u00adlm now") == [("reject", "word_list")]
    assert actions_of("n4p@lm") == [("reject", "word_list")]
    assert actions_of("ＮＡＰＡＬＭ") == [("reject", "word_list")]  # full-width, NFKC
    entry("привет", language="ru")
    assert actions_of("п\u0070ивет всем") == [("hold", "word_list")]  # Latin p


@pytest.mark.django_db
def test_language_scoping_wildcards_regex_and_phrases():
    entry("dumb*", match_type="wildcard", language="en")
    entry(r"\bscam+er\b", match_type="regex", kind="banned", language="en")
    entry("бред", language="ru")
    entry("fake news", language="any")
    assert actions_of("you dumbest person") == [("hold", "word_list")]
    assert actions_of("what a scammmer") == [("reject", "word_list")]
    assert actions_of("бред", "en") == []  # a Russian entry is not used for English text
    assert actions_of("полный бред") == [("hold", "word_list")]
    assert actions_of("more fake news again") == [("hold", "word_list")]
    assert actions_of("fake it till news") == []


@pytest.mark.django_db
def test_posting_rejects_banned_and_holds_suspect(thread, make_user):
    entry("napalm", kind="banned", note="weapons")
    entry("idiot", kind="suspect", note="insult")
    user = make_user()
    with pytest.raises(ActionError) as info:
        discussion.post_comment(author=user, thread=thread, body="napalm them")
    assert info.value.status == 422 and "napalm" in info.value.message
    assert not Comment.objects.exists()
    held = discussion.post_comment(author=user, thread=thread, body="you idiots").comment
    assert held.status == CommentStatus.PENDING
    flag = ModerationFlag.objects.get(comment=held)
    assert (flag.check_name, flag.action, flag.reason) == ("word_list", "hold", "insult: “idiots”")


@pytest.mark.django_db
def test_five_thousand_entries_compile_once_and_match_by_lookup(monkeypatch):
    WordListEntry.objects.bulk_create(
        WordListEntry(pattern=f"badword{i}", kind="suspect", language="any") for i in range(4990)
    )
    WordListEntry.objects.bulk_create(
        WordListEntry(pattern=f"плохо{i}", kind="banned", language="ru") for i in range(10)
    )
    versions.bump(versions.WORDS)  # bulk_create sends no signals
    before = wordlists.builds
    for i in range(50):
        wordlists.match(f"comment {i} mentions badword{i * 7}", "en")
    assert wordlists.builds == before + 1
    matchers = wordlists.compiled()
    assert len(matchers[("suspect", "en")].words) >= 4990
    # Matching is a dict lookup: it never iterates over the entries.
    calls = []
    original = wordlists.Matcher.add_word
    monkeypatch.setattr(wordlists.Matcher, "add_word", lambda *a: calls.append(a) or original(*a))
    assert wordlists.match("nothing bad here at all", "en") == []
    assert [h.entry.pattern for h in wordlists.match("so badword4321 indeed", "en")] == [
        "badword4321"
    ]
    assert calls == []
    # A change bumps the version: the next match rebuilds, once.
    entry("newword")
    wordlists.match("newword", "en")
    wordlists.match("again", "en")
    assert wordlists.builds == before + 2


def test_normalisation_helpers():
    assert text.normalise("Hе\u200bllo, W0rld") == "hello world"
    assert text.detect_language("Привет, как дела? ok") == "ru"
    assert text.detect_language("Hello там") == "en"
    assert text.en_stem("stopped") == text.en_stem("stop")



@pytest.mark.django_db
def test_a_fresh_site_gets_the_starter_lists_once_and_they_match_inflections():
    assert not WordListEntry.objects.exists()
    out = StringIO()
    call_command("install_starter_words", stdout=out)
    assert f"Installed {len(wordlists.STARTER)}" in out.getvalue()
    starter = WordListEntry.objects.all()
    assert starter.count() == len(wordlists.STARTER)
    for kind in ("banned", "suspect"):
        for language in ("en", "ru"):
            assert starter.filter(kind=kind, language=language).exists()
    # Inflected Russian forms of word entries (pymorphy3 lemmas) and a wildcard stem.
    assert actions_of("Эти недочеловеки опять за своё") == [("hold", "word_list")]
    assert actions_of("Очередные мрази из телевизора") == [("hold", "word_list")]
    assert actions_of("Полный пиздец с этим законом") == [("reject", "word_list")]
    assert actions_of("Хватит, заебали уже") == [("reject", "word_list")]
    assert actions_of("What the fucking hell") == [("reject", "word_list")]
    # Ordinary words that contain a listed stem or share its letters stay clean.
    assert actions_of("Колебания курса рубля, застрахуй вклад") == []
    assert actions_of("A skilled shitake grower and a Scunthorpe fan") == []
    # Editable, and never installed again: not after a deletion, not on a later run.
    WordListEntry.objects.filter(pattern="недочеловек").delete()
    assert actions_of("Эти недочеловеки опять за своё") == []
    WordListEntry.objects.all().delete()
    call_command("install_starter_words", stdout=StringIO())
    assert not WordListEntry.objects.exists()


@pytest.mark.django_db
def test_starter_lists_leave_a_site_with_its_own_list_alone():
    entry("napalm", kind="banned")
    assert wordlists.install_starter() == 0
    assert list(WordListEntry.objects.values_list("pattern", flat=True)) == ["napalm"]
