from django import template

from veche.accounts import avatars

register = template.Library()


@register.simple_tag
def avatar_url(username: str) -> str:
    """{% avatar_url name %}: the generated avatar of a user, guest or imported name."""
    return avatars.avatar_url(str(username))
