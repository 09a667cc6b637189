import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
from veche.core.pagecache import PageCache
from veche.core.settle import settle_web_worker

# Anonymous readers' pages come from the full-page cache before Django's middleware.
application = PageCache(get_wsgi_application())
settle_web_worker()
