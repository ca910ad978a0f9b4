"""Inquiries forms, split by part."""
