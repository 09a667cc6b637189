"""The comment form's fields as posting parses them (forms.ParsedComment): the same
values and the same first malformed field as Django's CommentForm, for whatever a
browser or a script sends."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from veche.discussion.forms import CommentForm, ParsedComment

SUBMISSIONS = [
    {},
    {"body": "  spaces kept  ", "client_token": "  trimmed  "},
    {"body": "x", "parent": "12"},
    {"body": "x", "parent": " 7 "},
    {"body": "x", "parent": "3.0"},
    {"body": "x", "parent": "0"},
    {"body": "x", "parent": "-4"},
    {"body": "x", "parent": "not-a-number"},
    {"body": "x", "parent": ""},
    {"body": "nul \x00 inside"},
    {"body": "x", "quote_text": "quoted \x00"},
    {"body": "x", "client_token": "t" * 64},
    {"body": "x", "client_token": "t" * 65},
    {"body": "x", "quote_text": "said", "quote_comment": "5"},
    {"body": "x", "quote_text": "said", "quote_target": "on"},
    {"body": "x", "quote_text": "said", "quote_target": "false"},
    {"body": "x", "quote_text": "said", "quote_target": "0"},
    {"body": "x", "quote_text": "   ", "quote_comment": "5"},
    {"body": "x", "parent": "abc", "quote_comment": "-1", "client_token": "t" * 99},
]


@pytest.mark.parametrize("fields", SUBMISSIONS)
def test_parsed_fields_are_what_the_form_would_make_of_them(fields):
    data = QueryDict(mutable=True)
    data.update(fields)
    form = CommentForm(data)
    form.is_valid()
    parsed = ParsedComment(data)
    assert parsed.cleaned_data == form.cleaned_data
    assert parsed.error == next(iter(form.errors), None)
    if parsed.error is None:
        assert parsed.quote() == form.quote()


def test_a_malformed_field_is_named_and_left_out():
    data = QueryDict(mutable=True)
    data.update({"body": "x", "parent": "twelve", "client_token": "tok"})
    parsed = ParsedComment(data)
    assert parsed.error == "parent"
    assert "parent" not in parsed.cleaned_data
    assert parsed.cleaned_data["client_token"] == "tok"
