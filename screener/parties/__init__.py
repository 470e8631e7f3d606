"""Restricted-party lists: import, storage, matching and screening of transaction parties."""
