"""The role groups and their permissions, kept in step after every migrate."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

from veche.accounts.models import Role

CRUD = ("add", "change", "delete", "view")

# (app_label, model, actions) per role; admin gets every permission.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.READER: [],
    Role.AUTHOR: [("newsroom", "article", ("add", "change", "view"))],
    Role.EDITOR: [
        ("newsroom", model, CRUD)
        for model in ("article", "section", "tag", "author", "publication")
    ],
    Role.MODERATOR: [
        ("discussion", "comment", ("change", "view")),
        ("discussion", "thread", ("view",)),
    ],
}


def sync_role_groups(using: str = "default", **_: Any) -> None:
    """Create the groups and grant their permissions; never takes away grants an
    administrator added by hand. Runs as a post_migrate receiver so that permissions of
    every app exist first and models added later reach the admin group too."""
    from django.contrib.auth.models import Group, Permission

    # post_migrate fires per app in INSTALLED_APPS order and accounts precedes newsroom
    # and discussion, so their permissions may not exist yet: create them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        if role == Role.ADMIN:
            perms = Permission.objects.using(using).all()
        else:
            query = Q(pk__in=[])
            for app_label, model, actions in ROLE_PERMISSIONS[role]:
                query |= Q(
                    content_type__app_label=app_label,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            perms = Permission.objects.using(using).filter(query)
        group.permissions.add(*perms)
