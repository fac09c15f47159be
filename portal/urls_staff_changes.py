"""Staff pages of the customer portal."""

app_name = "portal-changes"

urlpatterns = []
