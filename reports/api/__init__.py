"""The read-only JSON API (Django REST framework), documented by drf-spectacular."""
