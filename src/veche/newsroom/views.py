from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound("Not found")
