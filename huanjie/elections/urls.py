from django.urls import include, path

app_name = "elections"
urlpatterns = [
    path("", include("huanjie.elections.urls_election")),
    path("", include("huanjie.elections.urls_registration")),
    path("", include("huanjie.elections.urls_candidates")),
    path("", include("huanjie.elections.urls_aftervote")),
    path("", include("huanjie.elections.urls_voting")),
]
