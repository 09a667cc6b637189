from django.urls import path

from veche.discussion import views

app_name = "discussion"
urlpatterns = [
    path("t/<int:thread_id>/comment/", views.comment_on_thread, name="comment"),
    path("t/<int:thread_id>/post/", views.post, name="post"),
    path("c/<int:comment_id>/", views.permalink, name="permalink"),
    path("c/<int:comment_id>/reply/", views.reply, name="reply"),
    path("c/<int:comment_id>/thread/", views.continue_thread, name="continue"),
    path("c/<int:comment_id>/edit/", views.edit, name="edit"),
    path("c/<int:comment_id>/delete/", views.delete, name="delete"),
    path("c/<int:comment_id>/vote/", views.vote, name="vote"),
]
