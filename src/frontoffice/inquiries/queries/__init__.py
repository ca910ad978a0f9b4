"""Inquiries reads used by more than one view."""
