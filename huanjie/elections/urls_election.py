# Election setup, calendar, committee and documents (owned by the election-workflow work).
from django.urls import path

from huanjie.elections import views

urlpatterns: list = [
    path("campaign/<slug:slug>/", views.election_list, name="list"),
    path("campaign/<slug:slug>/new/", views.election_create, name="create"),
    path("campaign/<slug:slug>/plan/", views.election_plan, name="plan"),
    path("<int:pk>/", views.election_detail, name="detail"),
    path("<int:pk>/date/", views.election_move_date, name="move_date"),
    path("<int:pk>/steps/", views.election_record_step, name="record_step"),
    path("<int:pk>/open-voting/", views.election_open_voting, name="open_voting"),
    path("<int:pk>/committee/", views.committee, name="committee"),
    path(
        "<int:pk>/committee/<int:member_pk>/candidate/", views.committee_candidate, name="committee_candidate"
    ),
    path("<int:pk>/voter-notice.pdf", views.voter_notice_pdf, name="voter_notice_pdf"),
    path("<int:pk>/voter-cards.pdf", views.voter_cards_pdf, name="voter_cards_pdf"),
    path("<int:pk>/card-numbers/", views.card_numbers, name="card_numbers"),
]
