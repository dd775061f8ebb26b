# After the vote: result and submission, unlock, 分工, handover, result documents, archive, dashboards.
from django.urls import path

from huanjie.elections.aftervote import views as v

urlpatterns: list = [
    path("<int:pk>/results/", v.submit, name="submit"),
    path("<int:pk>/results/unlock/", v.unlock, name="unlock"),
    path("<int:pk>/results/posts/", v.assign_posts, name="assign_posts"),
    path("<int:pk>/results/handover/", v.handover, name="handover"),
    path("<int:pk>/results/notice.pdf", v.results_notice_pdf, name="results_notice_pdf"),
    path("<int:pk>/results/report.pdf", v.report_pdf, name="report_pdf"),
    path("<int:pk>/results/certificates.pdf", v.certificates_pdf, name="certificates_pdf"),
    path("<int:pk>/results/archive.zip", v.archive_zip, name="archive_zip"),
    path("<int:pk>/results/handover.pdf", v.handover_pdf, name="handover_pdf"),
    path("counting-forms/<int:form_pk>/form.pdf", v.counting_form_pdf, name="counting_form_pdf"),
    path("<int:pk>/results/api/counting-form/", v.counting_form_api, name="counting_form_api"),
    path("campaign/<slug:slug>/results/township/", v.township_dashboard, name="township_dashboard"),
    path("campaign/<slug:slug>/results/county/", v.county_dashboard, name="county_dashboard"),
]
