"""The kiosk: the tablet at the door, signed in with a kiosk token, never with a staff session."""

app_name = "kiosk"

urlpatterns = []
