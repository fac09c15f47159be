app_name = "opportunities"

urlpatterns = []
