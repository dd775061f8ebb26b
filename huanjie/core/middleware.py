from django.conf import settings


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy header to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class FirstRunMiddleware:
    """On a database with no region and no account, the home and login pages lead to the first-run page.

    Only those two GET requests pay for the check (two ``EXISTS`` queries); nothing else is touched.
    """

    PATHS = ("/", "/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path in self.PATHS:
            from django.shortcuts import redirect

            from .firstrun import is_fresh

            if is_fresh():
                return redirect("first_run")
        return self.get_response(request)
