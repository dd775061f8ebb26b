from django.urls import include, path

from huanjie.accounts import views as account_views
from huanjie.api.views import api
from huanjie.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("setup/", core_views.first_run, name="first_run"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("accounts/", include("huanjie.accounts.urls")),
    path("", include("huanjie.people.urls")),
    path("campaigns/", include("huanjie.campaigns.urls")),
    path("elections/", include("huanjie.elections.urls")),
    path("review/", include("huanjie.review.urls")),
    path("preparation/", include("huanjie.preparation.urls")),
    path("party/", include("huanjie.party.urls")),
    path("congress/", include("huanjie.congress.urls")),
    path("oversight/", include("huanjie.oversight.urls")),
    path("supervision/", include("huanjie.supervision.urls")),
    path("reports/", include("huanjie.reports.urls")),
    path("villageposts/", include("huanjie.villageposts.urls")),
    path("api/", api.urls),
]
