from django.http import HttpRequest, HttpResponse
from django.views.generic import DetailView

from xtdbench.models import Article


class ArticleDetail(DetailView):
    model = Article
    template_name = "xtdbench/article.html"
    context_object_name = "article"


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
