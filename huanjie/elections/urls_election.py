# Election setup, calendar, committee and documents (owned by the election-workflow work).
urlpatterns: list = []
