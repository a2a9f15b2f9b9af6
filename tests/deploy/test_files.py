"""The systemd units and the logrotate file of deploy/, read by the tools that will run them.

Both tools ignore a line they cannot read (with a message) rather than fail, so the test
fails on any message. /srv/kispub is swapped for this checkout, whose programs exist.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.stack import DEPLOY, ROOT

pytestmark = pytest.mark.dialect_free

UNITS = (
    "kispub-web.service",
    "kispub-worker.service",
    "kispub-ingest.service",
    "kispub-ingest.timer",
)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is missing")
def test_the_units_have_no_line_systemd_ignores(tmp_path: Path) -> None:
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        if name.endswith(".service"):
            assert "EnvironmentFile=/etc/kispub/env" in text and "ProtectSystem=strict" in text
        (tmp_path / name).write_text(text.replace("/srv/kispub", str(ROOT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(not Path("/usr/sbin/logrotate").exists(), reason="logrotate is missing")
def test_logrotate_reads_every_line_and_keeps_the_last_rotation_plain(tmp_path: Path) -> None:
    log = tmp_path / "kispub.access.json"
    log.write_text('{"uri": "/"}\n')
    text = (DEPLOY / "logrotate" / "kispub").read_text()
    assert "delaycompress" in text.split()  # the ingest reads <log>.1 as text
    config = tmp_path / "kispub"
    config.write_text(text.replace("/var/log/nginx/kispub.access.json", str(log)))
    config.chmod(0o644)
    done = subprocess.run(  # -d: say what would be done, do nothing
        ["/usr/sbin/logrotate", "-d", "-f", "-s", str(tmp_path / "state"), str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "error" not in output.lower(), output
    assert f"rotating log {log}" in output
