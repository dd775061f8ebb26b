from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy header to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class PasswordChangeRequiredMiddleware:
    """An account created or reset by an office logs in with a one-time password and must replace it
    before anything else: every page answers with the password change page until it is done.

    Logging out, the change page itself, static files and the health check stay reachable; the
    JSON API answers 403 with the reason instead of a redirect a script could not follow.
    """

    EXEMPT_PREFIXES = ("/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            path = request.path
            change_url = reverse("accounts:password_change")
            if path not in (change_url, reverse("logout")) and not path.startswith(self.EXEMPT_PREFIXES):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": "请先在网页上修改初始密码，然后再使用接口。"}, status=403)
                return redirect(change_url)
        return self.get_response(request)


class FirstRunMiddleware:
    """On a database with no region and no account, the home and login pages lead to the first-run page
    (outside production: see ``settings.FIRST_RUN_PAGE``).

    Only those two GET requests pay for the check (two ``EXISTS`` queries); nothing else is touched.
    """

    PATHS = ("/", "/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path in self.PATHS:
            from .firstrun import page_open

            if page_open():
                return redirect("first_run")
        return self.get_response(request)
