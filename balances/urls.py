app_name = "balances"
urlpatterns: list = []
