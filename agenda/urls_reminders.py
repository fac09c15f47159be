"""URLs: reminders."""

urlpatterns = []
