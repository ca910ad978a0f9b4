"""frontoffice: the front office of an organisation in one self-hosted application."""

__version__ = "0.1.0"
