# Nomination, formal candidates and proxies (owned by the candidates work).
from django.urls import path

from huanjie.elections.nomination import views as v

urlpatterns = [
    path("<int:pk>/nominations/", v.nominations, name="nominations"),
    path("<int:pk>/nominations/count/", v.nominations_count, name="nominations_count"),
    path("<int:pk>/nominations/channel/", v.nominations_channel, name="nominations_channel"),
    path("<int:pk>/nominations/<int:nid>/choice/", v.nomination_choice, name="nomination_choice"),
    path("<int:pk>/nominations/<int:nid>/update/", v.nomination_update, name="nomination_update"),
    path("<int:pk>/nominations/<int:nid>/exclude/", v.nomination_exclude, name="nomination_exclude"),
    path("<int:pk>/candidates/", v.candidates_page, name="candidates"),
    path("<int:pk>/candidates/decide/", v.candidates_decide, name="candidates_decide"),
    path("<int:pk>/candidates/<int:cid>/ack/", v.candidate_ack, name="candidate_ack"),
    path("<int:pk>/candidates/<int:cid>/withdraw/", v.candidate_withdraw, name="candidate_withdraw"),
    path("<int:pk>/candidates/<int:cid>/disqualify/", v.candidate_disqualify, name="candidate_disqualify"),
    path("<int:pk>/candidates/team/", v.team_explain, name="candidates_team"),
    path("<int:pk>/candidates/publish/", v.candidates_publish, name="candidates_publish"),
    path(
        "<int:pk>/candidates/notice-<int:version>.pdf", v.candidates_notice_pdf, name="candidates_notice_pdf"
    ),
    path("<int:pk>/proxies/", v.proxies_page, name="proxies"),
    path("<int:pk>/proxies/add/", v.proxies_add, name="proxies_add"),
    path("<int:pk>/proxies/<int:proxy_id>/revoke/", v.proxies_revoke, name="proxies_revoke"),
    path("<int:pk>/proxies/notice.pdf", v.proxies_notice_pdf, name="proxies_notice_pdf"),
]
