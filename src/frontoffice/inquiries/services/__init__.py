"""Every write of inquiries (DESIGN §3), split by subject."""
