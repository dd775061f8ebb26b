from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk/", views.bulk, name="bulk"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("verdicts/<int:pk>/", views.verdict_form, name="verdict"),
    path("verdicts/<int:pk>/record/", views.verdict_record, name="verdict_record"),
    path("cases/", views.cases, name="cases"),
    path("county/", views.county, name="county"),
    path("township/<str:code>/", views.township, name="township"),
    path("township/<str:code>/remind/", views.remind, name="remind"),
    path("township/<str:code>/table.pdf", views.table_pdf, name="table_pdf"),
    path("township/<str:code>/table.xlsx", views.table_xlsx, name="table_xlsx"),
]
