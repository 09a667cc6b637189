"""A change of the legal-label list changes the rendered tree's cache key at once."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tests.discussion.factories import add_comment
from veche.core import presentation
from veche.discussion.web import render_discussion
from veche.moderation.apps import labels_version
from veche.moderation.models import DesignatedOrganisation

LABEL = "banned in the Russian Federation"


def render(thread) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return render_discussion(request, thread).html


def test_a_new_organisation_is_labelled_in_an_already_rendered_tree(thread, make_user,
                                                                      settings):
    settings.VECHE_LIST_VERSION_TTL = 3600  # only this process's own bump re-reads
    assert labels_version in presentation._version_providers
    add_comment(thread, make_user(), "ISIS did it.")
    before = presentation.presentation_version()
    assert LABEL not in render(thread)  # now cached under the thread's version
    DesignatedOrganisation.objects.create(name="Islamic State", forms="ISIS")
    assert presentation.presentation_version() != before
    assert f"ISIS ({LABEL})" in render(thread)
