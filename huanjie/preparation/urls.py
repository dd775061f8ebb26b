from django.urls import path

from . import views

app_name = "preparation"
urlpatterns = [
    path("<slug:slug>/", views.readiness_table, name="readiness"),
    path("<slug:slug>/training/new/", views.training_new, name="training_new"),
    path("<slug:slug>/induction/", views.induction, name="induction"),
    path("<slug:slug>/induction/new/", views.induction_new, name="induction_new"),
    path("<slug:slug>/villages/<str:code>/", views.village_preparation, name="village"),
    path("<slug:slug>/villages/<str:code>/audit/", views.record_audit, name="record_audit"),
    path("<slug:slug>/villages/<str:code>/audit/attachment/", views.audit_attachment, name="audit_attachment"),
]
