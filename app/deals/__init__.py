"""Accounts, deals and their stage history, CRM import, and the usage of content in deals."""
