"""Issue 10, item 9, the operator's path: `manage.py audit-checkpoint` signs the head into the table
and the export file; `manage.py verify-audit` exits 0 on an intact trail and 1 once its newest
events are deleted, also when the checkpoint table was cut with them."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_item9_checkpoint_and_verify_commands_detect_truncation(tmp_path):
    db = tmp_path / "registry.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite://{db}", "AUDIT_HMAC_KEY": "cli-test-key",
           "AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"), "DATA_DIR": str(tmp_path)}
    for login in ("first", "second"):
        assert _manage(env, "create-admin", login, "Admin").returncode == 0
    done = _manage(env, "audit-checkpoint")
    assert done.returncode == 0 and "checkpoint at event" in done.stdout
    assert (tmp_path / "checkpoints.jsonl").read_text().count("\n") == 1
    intact = _manage(env, "verify-audit")
    assert intact.returncode == 0 and "ok=True" in intact.stdout and "checkpoints=1" in intact.stdout
    with sqlite3.connect(db) as conn:  # someone with the database cuts the newest event and the checkpoints
        conn.execute("DELETE FROM audit_event WHERE id = (SELECT MAX(id) FROM audit_event)")
        conn.execute("DELETE FROM audit_checkpoint")
    cut = _manage(env, "verify-audit")
    assert cut.returncode == 1 and "problem=TRUNCATED" in cut.stdout
    wrong_key = _manage({**env, "AUDIT_HMAC_KEY": "another"}, "verify-audit")
    assert wrong_key.returncode == 1 and "problem=BAD_CHECKPOINT" in wrong_key.stdout
