"""Parsing the comment forms. Validation of content lives in the actions."""

from __future__ import annotations

from django import forms

from veche.discussion.actions import QuoteRef


class CommentForm(forms.Form):
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    parent = forms.IntegerField(required=False, min_value=1)
    quote_comment = forms.IntegerField(required=False, min_value=1)
    quote_target = forms.BooleanField(required=False)
    quote_text = forms.CharField(required=False, strip=False)
    client_token = forms.CharField(required=False, max_length=64)

    def quote(self) -> QuoteRef | None:
        data = self.cleaned_data
        text = data.get("quote_text") or ""
        if not text.strip():
            return None
        if data.get("quote_target"):
            return QuoteRef(text=text, of_target=True)
        return QuoteRef(text=text, comment_id=data.get("quote_comment"))


class EditForm(forms.Form):
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1"), ("0", "0")], coerce=int)
