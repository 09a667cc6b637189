"""The publication: sections, tags, authors and articles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Publication(models.Model):
    """The site's masthead; one row, editable in the admin."""

    name = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/Moscow")
    language = models.CharField(max_length=10, default="en")

    def __str__(self) -> str:
        return self.name


class ModerationModeChoice(models.TextChoices):
    """A section's or article's moderation mode; empty: take the enclosing one's."""

    INHERIT = "", "Inherit"
    POST = "post", "Post-moderation (publish, review later)"
    PRE = "pre", "Pre-moderation (hold every comment for review)"


class Section(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    # Empty: the site default (VECHE_MODERATION_MODE). Written into each article's thread.
    moderation_mode = models.CharField(
        max_length=8, choices=ModerationModeChoice.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:section", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    """A byline. May be linked to a user account, or be an outside contributor."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:author", args=[self.slug])


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class ArticleQuerySet(models.QuerySet):
    def live(self) -> ArticleQuerySet:
        """Articles readers may see: published, or scheduled and their time has come."""
        return self.filter(
            status__in=[ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED],
            published_at__lte=timezone.now(),
        )


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    lead = models.TextField(blank=True)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False, default="")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    # "especially for <publication>": written for this publication, shown by the byline.
    is_exclusive = models.BooleanField("especially for the publication", default=False)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_open = models.BooleanField(default=True)
    # Empty: the section's mode. Overrides it for this article's discussion.
    moderation_mode = models.CharField(
        max_length=8, choices=ModerationModeChoice.choices, blank=True, default=""
    )
    language = models.CharField(max_length=10, default="en")
    # The discussion's thread; discussion knows the article only by its target key.
    thread = models.OneToOneField(
        "discussion.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The source an import took it from, so importing again changes nothing.
    import_key = models.CharField(max_length=255, blank=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["status", "published_at"], name="article_live")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsroom:article", args=[self.slug])

    @property
    def target_key(self) -> str:
        return f"newsroom.article:{self.pk}"

    @property
    def is_live(self) -> bool:
        return (
            self.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )
