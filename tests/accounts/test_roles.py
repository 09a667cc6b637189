from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from veche.accounts.models import Role
from veche.accounts.roles import sync_role_groups

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{code}"
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrate_created_every_role_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    assert perms(Role.READER) == set()


def test_editor_manages_the_newsroom():
    expected = {
        f"newsroom.{action}_{model}"
        for action in ("add", "change", "delete", "view")
        for model in ("article", "section", "tag", "author", "publication")
    }
    assert perms(Role.EDITOR) == expected


def test_author_writes_articles_but_does_not_delete():
    assert perms(Role.AUTHOR) == {
        "newsroom.add_article",
        "newsroom.change_article",
        "newsroom.view_article",
    }


def test_moderator_moderates_comments():
    assert perms(Role.MODERATOR) == {
        "discussion.change_comment",
        "discussion.view_comment",
        "discussion.view_thread",
    }


def test_admin_has_every_permission():
    assert Group.objects.get(name=Role.ADMIN).permissions.count() == Permission.objects.count()


def test_sync_is_idempotent_and_keeps_hand_made_grants():
    extra = Permission.objects.get(codename="delete_comment")
    Group.objects.get(name=Role.MODERATOR).permissions.add(extra)
    sync_role_groups()
    sync_role_groups()
    assert "discussion.delete_comment" in perms(Role.MODERATOR)
    assert Group.objects.filter(name=Role.MODERATOR).count() == 1


def test_group_permissions_reach_the_user(make_role_user):
    editor = make_role_user(Role.EDITOR)
    assert editor.has_perm("newsroom.delete_article")
    assert not editor.has_perm("discussion.change_comment")
    assert editor.has_role(Role.EDITOR)
