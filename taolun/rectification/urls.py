
from taolun.rectification import io_urls

app_name = "rectification"

urlpatterns = [
    # The ledger pages (views.py) go here.
    *io_urls.urlpatterns,
]
