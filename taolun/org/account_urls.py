"""The person's own account pages, under /accounts/ before Django's own views there."""

from django.urls import path

from taolun.org import views_account

urlpatterns = [
    path("", views_account.account, name="account"),
    path("password_change/", views_account.PasswordChange.as_view(), name="password_change"),
    path("logout_everywhere/", views_account.logout_everywhere, name="logout_everywhere"),
]
urlpatterns += [
    path("two_factor/", views_account.two_factor, name="two_factor"),
    path("two_factor/verify/", views_account.two_factor_verify, name="two_factor_verify"),
]
