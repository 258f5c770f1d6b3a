from django.apps import AppConfig


class DueAppConfig(AppConfig):
    """A test-only app with one model, to exercise the due-work pattern of common.due."""

    name = "tests.dueapp"
    label = "dueapp"
