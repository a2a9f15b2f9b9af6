"""Periodic jobs: registered by features, run by the worker in the app's context."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask, current_app

from kispub.jobs import crontab, huey_of, register_periodic


def _due(app: Flask, moment: datetime) -> set[str]:
    return {type(task).__name__ for task in huey_of(app).read_periodic(moment)}


def test_a_registered_periodic_job_runs_in_the_apps_context(app: Flask) -> None:
    seen: list[Flask] = []
    register_periodic(
        app,
        "test-nightly",
        crontab(minute="0", hour="3"),
        lambda: seen.append(
            current_app._get_current_object()  # type: ignore[attr-defined]
        ),
    )
    assert "test-nightly" in _due(app, datetime(2026, 12, 7, 3, 0))
    assert "test-nightly" not in _due(app, datetime(2026, 12, 7, 3, 1))
    huey = huey_of(app)
    [task] = [
        t
        for t in huey.read_periodic(datetime(2026, 12, 7, 3, 0))
        if type(t).__name__ == "test-nightly"
    ]
    huey.execute(task)
    assert seen == [app]
    with pytest.raises(ValueError, match="already registered"):
        register_periodic(app, "test-nightly", crontab(), lambda: None)


def test_the_platform_jobs_run_on_their_schedules(app: Flask) -> None:
    every_minute = {"outbox-sweep", "public-files", "access-log-ingest"}
    assert _due(app, datetime(2026, 12, 7, 14, 17)) == every_minute
    assert _due(app, datetime(2026, 12, 7, 14, 5)) == {
        *every_minute,
        "podcast-downloads-rollup",
        "dossier-alerts-direct",
    }
    assert "ateliers-purge" in _due(app, datetime(2026, 12, 7, 2, 30))
    assert "outbox-purge" in _due(app, datetime(2026, 12, 7, 2, 40))
    assert "ateliers-purge" not in _due(app, datetime(2026, 12, 7, 14, 30))


def test_the_worker_will_not_start_in_immediate_mode(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1 and "JOBS_IMMEDIATE" in result.output
