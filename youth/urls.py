from django.urls import path

from . import views

app_name = "youth"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("consent/", views.consent, name="consent"),
    path("consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consent/public/", views.public_consent_give, name="public_consent_give"),
    path(
        "consent/public/withdraw/",
        views.public_consent_withdraw,
        name="public_consent_withdraw",
    ),
    path("staff/settings/", views.settings, name="settings"),
    path("staff/figures/", views.figures, name="figures"),
]

from . import story_views  # noqa: E402

urlpatterns += [
    path("stories/", story_views.showcase, name="showcase"),
    path("stories/<int:pk>/", story_views.story, name="story"),
    path("stories/<int:pk>/photo/<str:size>/", story_views.story_photo, name="story_photo"),
    path("my-stories/", story_views.my_stories, name="my_stories"),
    path("my-stories/new/", story_views.story_create, name="story_create"),
    path("my-stories/<int:pk>/", story_views.my_story, name="my_story"),
    path("my-stories/<int:pk>/edit/", story_views.story_edit, name="story_edit"),
    path("my-stories/<int:pk>/submit/", story_views.story_submit, name="story_submit"),
    path("stories/moderation/", story_views.moderation_queue, name="moderation_queue"),
    path("stories/moderation/<int:pk>/", story_views.story_moderate, name="story_moderate"),
    path("stories/moderation/<int:pk>/publish/", story_views.story_publish, name="story_publish"),
    path(
        "stories/moderation/<int:pk>/changes/",
        story_views.story_request_changes,
        name="story_request_changes",
    ),
    path("stories/moderation/<int:pk>/reject/", story_views.story_reject, name="story_reject"),
]
