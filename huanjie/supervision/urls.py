from django.urls import path

from huanjie.supervision import views

app_name = "supervision"
urlpatterns = [
    path("campaign/<slug:slug>/", views.campaign_list, name="list"),
    path("campaign/<slug:slug>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/do/", views.detail_post, name="detail_post"),
    path("<int:pk>/candidates.pdf", views.candidates_pdf, name="candidates_pdf"),
]
