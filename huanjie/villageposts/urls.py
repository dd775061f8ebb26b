from django.urls import path

from . import views

app_name = "villageposts"
urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/<str:code>/", views.village, name="village"),
    path("<slug:slug>/<str:code>/setup/", views.save_setup, name="save_setup"),
    path("<slug:slug>/<str:code>/representatives/add/", views.add_representative, name="add_representative"),
    path("<slug:slug>/<str:code>/representatives/import/", views.import_representatives, name="import_representatives"),
    path("<slug:slug>/<str:code>/representatives/<int:pk>/remove/", views.remove_representative,
         name="remove_representative"),
    path("<slug:slug>/<str:code>/publish/", views.publish, name="publish"),
    path("<slug:slug>/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/<str:code>/notice.pdf", views.notice, name="notice"),
    path("<slug:slug>/<str:code>/groups/", views.groups, name="groups"),
    path("<slug:slug>/<str:code>/groups/add/", views.add_group_post, name="add_group_post"),
    path("<slug:slug>/<str:code>/groups/import/", views.import_group_posts, name="import_group_posts"),
    path("<slug:slug>/<str:code>/groups/<int:pk>/remove/", views.remove_group_post, name="remove_group_post"),
]
