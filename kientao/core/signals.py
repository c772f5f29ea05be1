"""Signals of the platform, declared in one place with the arguments each sends.

Capabilities never import each other; where one must react to another, it
connects to a signal here in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent after a membership is created or its role changes.
#: Arguments: ``membership`` (core.Membership), ``actor`` (core.User).
membership_changed = Signal()

#: Sent when a job finishes. Arguments: ``job`` (core.Job).
job_finished = Signal()
