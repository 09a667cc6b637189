"""Signals the discussion sends after a change has committed.

Receivers (notifications, live updates, search, caches) must not change the comment.
"""

from django.dispatch import Signal

# provides args: comment, created (bool)
comment_posted = Signal()
# provides args: comment
comment_edited = Signal()
# provides args: comment, old_status
comment_status_changed = Signal()
# provides args: comment, user, value
comment_voted = Signal()
