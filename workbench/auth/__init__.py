"""Accounts, roles and the permission checks every service function makes."""
