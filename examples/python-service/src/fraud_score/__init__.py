"""Fraud score API: scores a card payment before it is captured."""
