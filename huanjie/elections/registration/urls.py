# Voter registration: roster import, categories, objections (owned by the registration work).
from django.urls import path

from huanjie.elections.registration import views as v

urlpatterns = [
    path("<int:pk>/voters/", v.voter_list, name="voters"),
    path("<int:pk>/voters/import/", v.upload, name="voters_upload"),
    path("<int:pk>/voters/import/<int:job_id>/", v.job_page, name="voters_job"),
    path("<int:pk>/voters/import/<int:job_id>/commit/", v.job_commit, name="voters_commit"),
    path("<int:pk>/voters/import/<int:job_id>/rejected.xlsx", v.job_rejected, name="voters_rejected"),
    path("<int:pk>/voters/add/", v.voter_add, name="voters_add"),
    path("<int:pk>/voters/<int:reg_id>/remove/", v.voter_remove, name="voters_remove"),
    path("<int:pk>/objections/", v.objections, name="voters_objections"),
    path("<int:pk>/objections/add/", v.objection_add, name="voters_objection_add"),
    path(
        "<int:pk>/objections/<int:objection_id>/decide/", v.objection_decide, name="voters_objection_decide"
    ),
]
