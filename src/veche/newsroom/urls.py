from django.contrib.sitemaps.views import sitemap
from django.urls import path

from veche.newsroom import feeds, views
from veche.newsroom.sitemaps import SITEMAPS

app_name = "newsroom"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("sections/<slug:slug>/", views.section, name="section"),
    path("authors/<slug:slug>/", views.author, name="author"),
    path("feeds/rss/", feeds.LatestArticlesRss(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestArticlesAtom(), name="feed_atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
