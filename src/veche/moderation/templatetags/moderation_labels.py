from django import template
from django.utils.safestring import SafeString, mark_safe

from veche.moderation.legal import label_html

register = template.Library()


@register.filter
def legal_labels(body_html: str) -> SafeString:
    """Sanitised article HTML with legal labels added (the stored HTML is unchanged)."""
    return mark_safe(label_html(str(body_html)))  # noqa: S308 - input is sanitised HTML
