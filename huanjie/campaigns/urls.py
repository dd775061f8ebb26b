from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<slug:slug>/policy/", views.campaign_policy, name="policy"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/rules/", views.campaign_rules, name="rules"),
    path("<slug:slug>/villages/<str:code>/state/", views.set_village_state, name="set_state"),
]
