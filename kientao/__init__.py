"""Kiến Tạo: an open-source platform for public-sector innovation labs."""

__version__ = "0.1.0"
