"""Kinds of job. A domain app registers each of its kinds from ``AppConfig.ready`` (NetBox's
``JobRunner``, one per kind): what runs, who may see it, and how its result shows. The jobs app
knows no domain app; it finds the kind by name when a worker runs a job."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    # run(job, progress) -> the result message. Raise to fail (the message is the reason); the
    # progress object raises JobCancelled when someone pressed Cancel.
    run: Callable
    # The capability that lets a member see (and cancel) a job of this kind.
    capability: str
    # A template included under a finished job's bar (e.g. an import's preview and Confirm).
    result_template: str = ""
    # Where to go back to: url(job) -> the page where the work started.
    back_url: Callable | None = None


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> JobKind | None:
    return _kinds.get(name)


def label_of(name: str) -> str:
    kind = _kinds.get(name)
    return kind.label if kind else name


def kinds() -> dict[str, JobKind]:
    return dict(_kinds)
