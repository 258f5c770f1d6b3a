"""Registered Celery task names are a contract with beat and with messages already queued: a task
whose module moves keeps its name (explicit ``name=``)."""

from config.celery import app


def _registered() -> set[str]:
    app.autodiscover_tasks(force=True)  # what a worker does at start: import every app's tasks module
    return set(app.tasks)


def test_every_beat_entry_names_a_registered_task(settings):
    missing = {key: entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    missing = {key: name for key, name in missing.items() if name not in _registered()}
    assert not missing, f"beat entries whose task no worker knows: {missing}"


def test_tasks_queued_by_name_or_from_earlier_modules_keep_their_names():
    assert {
        "common.tasks.run_due_work_task",  # common.due queues it by this name
        "courses.notification_tasks.send_course_email_task",
        "courses.notification_tasks.notify_unlocked_items_task",
        "courses.notification_tasks.notify_inactive_learners_task",
    } <= _registered()
