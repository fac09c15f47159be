"""Staff pages of the customer portal."""

app_name = "order-requests"

urlpatterns = []
