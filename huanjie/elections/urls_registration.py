# Voter registration: roster import, categories, objections (owned by the registration work).
urlpatterns: list = []
