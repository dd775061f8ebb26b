# Election day: arrangements, staff, ballots, counting forms, results (owned by the counting work).
from django.urls import path

from huanjie.elections.voting import views as v

urlpatterns: list = [
    path("<int:pk>/voting/", v.arrangements, name="voting"),
    path("<int:pk>/voting/arrangements.pdf", v.arrangements_pdf, name="arrangements_pdf"),
    path("<int:pk>/voting/staff/", v.staff, name="voting_staff"),
    path("<int:pk>/voting/staff.pdf", v.staff_pdf, name="staff_pdf"),
    path("<int:pk>/voting/ballots/", v.ballots, name="ballots"),
    path("round/<int:pk>/ballots.pdf", v.ballot_pdf, name="ballot_pdf"),
    path("round/<int:pk>/counting/", v.counting_overview, name="counting"),
    path("round/<int:pk>/counting/<int:station_pk>/", v.counting_form, name="counting_form"),
    path("round/<int:pk>/counting/<int:station_pk>/check/", v.counting_check, name="counting_check"),
    path("round/<int:pk>/counting/<int:station_pk>/compare/", v.counting_compare, name="counting_compare"),
    path("round/<int:pk>/counting/<int:station_pk>/ballots/", v.counting_ballots, name="counting_ballots"),
    path("round/<int:pk>/result/", v.result, name="result"),
    path("round/<int:pk>/result/compute/", v.result_compute, name="result_compute"),
    path("round/<int:pk>/result/follow-up/", v.result_follow_up, name="result_follow_up"),
    path("elected/<int:member_pk>/void/", v.void_election, name="void_election"),
    path("counting-codes/", v.codes, name="counting_codes"),
]
