"""Parsing moderators' and readers' input; the actions validate meaning."""

from __future__ import annotations

from django import forms

from veche.moderation.models import ReportReason, SanctionKind, TrustLevel

ACTIONS = [("approve", "Approve"), ("reject", "Reject"), ("spam", "Spam"),
           ("remove", "Remove"), ("restore", "Restore")]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=ReportReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3}))


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=False)
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        # Any integer id is acceptable here; the action says if it exists.
        raw = data.getlist("ids") if data is not None and hasattr(data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()]


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(choices=SanctionKind.choices)
    reason = forms.CharField(max_length=2000)
    days = forms.IntegerField(required=False, min_value=1, max_value=3650)


class UserSettingsForm(forms.Form):
    always_premoderate = forms.BooleanField(required=False)
    trust_level = forms.TypedChoiceField(
        choices=[("", "Computed")] + [(str(v), label) for v, label in TrustLevel.choices],
        coerce=int, empty_value=None, required=False,
    )
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}))
