from django.urls import path

from huanjie.party import views

app_name = "party"
urlpatterns = [
    path("", views.index, name="index"),
    path("village/<str:code>/members/", views.members, name="members"),
    path("village/<str:code>/members/edit/", views.members_post, name="members_post"),
    path("campaign/<slug:slug>/new/", views.create, name="create"),
    path("<int:pk>/", views.election, name="election"),
    path("<int:pk>/do/", views.election_post, name="election_post"),
    path("<int:pk>/documents/<str:name>", views.document, name="document"),
]
