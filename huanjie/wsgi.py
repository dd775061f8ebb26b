import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")
_django = get_wsgi_application()

from django.conf import settings  # noqa: E402 — after Django is set up

from huanjie.core.proxy import TrustedProxyMiddleware  # noqa: E402

application = TrustedProxyMiddleware(_django, settings.HUANJIE_TRUSTED_PROXIES)

from huanjie.core.startup import freeze_loaded  # noqa: E402

freeze_loaded()  # start-up objects out of the collector's walks (see huanjie.core.startup)
