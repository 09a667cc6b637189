from django.urls import path

from veche.api.api import api
from veche.api.docs import docs_asset

app_name = "api"  # ninja's urls_namespace: its views reverse "api:openapi-json"
urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="docs-asset"),
    *api.urls[0],
]
