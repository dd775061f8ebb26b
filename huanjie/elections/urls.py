from django.urls import include, path

app_name = "elections"
urlpatterns = [
    path("", include("huanjie.elections.urls_election")),
    path("", include("huanjie.elections.registration.urls")),
    path("", include("huanjie.elections.nomination.urls")),
    path("", include("huanjie.elections.aftervote.urls")),
    path("", include("huanjie.elections.voting.urls")),
]
