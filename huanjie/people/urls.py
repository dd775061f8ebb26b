from django.urls import path

from . import region_views, views

app_name = "people"
urlpatterns = [
    path("regions/", views.region_tree, name="regions"),
    path("regions/import/", region_views.region_import, name="region_import"),
    path("regions/new/", region_views.region_add, name="region_add"),
    path("regions/<str:code>/rename/", region_views.region_rename, name="region_rename"),
    path("regions/<str:code>/merge/", region_views.region_merge, name="region_merge"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("people/", views.person_list, name="list"),
    path("people/new/", views.person_create, name="create"),
    path("people/pick/", views.person_pick, name="pick"),
    path("people/<int:pk>/", views.person_detail, name="detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="edit"),
    path("people/<int:pk>/relations/", views.relation_add, name="relation_add"),
    path("people/<int:pk>/relations/<int:relation_id>/delete/", views.relation_delete, name="relation_delete"),
]
