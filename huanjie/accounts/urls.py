from django.urls import path

from . import views, views_manage

app_name = "accounts"
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views_manage.account_list, name="users"),
    path("users/new/", views_manage.account_new, name="user_new"),
    path("users/bulk/", views_manage.account_bulk, name="user_bulk"),
    path("users/template.xlsx", views_manage.import_template, name="import_template"),
    path("users/<int:pk>/<slug:action>/", views_manage.account_action, name="user_action"),
    path("users/departments/", views_manage.departments, name="departments"),
]
