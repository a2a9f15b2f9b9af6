"""Accounts: users, roles, login, password reset and the access decorators."""
