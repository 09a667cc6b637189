from django.db import models
from django.urls import reverse


class Article(models.Model):
    """The commented object, like the tutorial's blog Post."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    body = models.TextField()
    publish = models.DateTimeField()
    allow_comments = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article", kwargs={"slug": self.slug})
