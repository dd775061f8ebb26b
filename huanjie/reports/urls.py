from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("weekly/take/", views.weekly_take, name="weekly_take"),
    path("weekly/<int:pk>/", views.weekly_detail, name="weekly"),
    path("weekly/<int:pk>/table.xlsx", views.weekly_xlsx, name="weekly_xlsx"),
]
urlpatterns += [
    path("structure/", views.structure_page, name="structure"),
    path("previous/", views.previous_list, name="previous"),
    path("summary/", views.summary_page, name="summary"),
    path("summary/report.<str:fmt>", views.summary_file, name="summary_file"),
]
urlpatterns += [
    path("outgoing/", views.outgoing_list, name="outgoing"),
    path("outgoing/<str:code>/<str:id_number>/", views.outgoing_person, name="outgoing_person"),
    path("reserve/", views.reserve_list, name="reserve"),
    path("reserve/<str:code>/", views.reserve_village, name="reserve_village"),
]
