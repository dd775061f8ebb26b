from django.urls import path

from huanjie.congress import views

app_name = "congress"
urlpatterns = [
    path("campaign/<slug:slug>/", views.congress_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/do/", views.post, name="post"),
    path("<int:pk>/documents/<str:name>", views.document, name="document"),
]
urlpatterns += [
    path("unit/<int:pk>/", views.unit, name="unit"),
    path("unit/<int:pk>/do/", views.unit_post, name="unit_post"),
]
