from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.command_page, name="command"),
    path("live/", views.command_live, name="command_live"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<str:code>/", views.survey_form, name="survey"),
    path("risks/", views.risk_list, name="risks"),
    path("risks/<str:code>/", views.plan_form, name="plan"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/new/candidates/", views.complaint_candidates, name="complaint_candidates"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/<str:action>/", views.complaint_action, name="complaint_action"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/<str:action>/", views.incident_action, name="incident_action"),
    path("commitments/", views.commitment_list, name="commitments"),
    path("commitments/<str:code>/", views.commitment_village, name="commitment_village"),
    path("commitments/copy/<int:pk>/", views.commitment_copy, name="commitment_copy"),
    path("handover/", views.handover_list, name="handover"),
    path("commitments/township/<str:code>/", views.township_letter, name="township_letter"),
    path("commitments/township-copy/<int:pk>/", views.township_letter_copy, name="township_letter_copy"),
]
