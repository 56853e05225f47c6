"""`python -m sandbox --script` replays a conversation with the real bot and prints it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_demo_script(tmp_path: Path, lines: list[str]) -> str:
    script = tmp_path / "conversation.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--script", str(script)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_demo_script_prints_start_and_help_transcript(tmp_path: Path) -> None:
    out = run_demo_script(tmp_path, ["/start", "/help"])
    assert "you  › /start" in out
    assert "Quran Companion" in out
    assert "you  › /help" in out
    assert "/goal" in out and "/note" in out


def test_demo_comments_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    out = run_demo_script(tmp_path, ["# a comment", "", "/help"])
    assert "a comment" not in out
    assert out.count("you  ›") == 1


def test_pressing_a_missing_button_says_so_instead_of_crashing(tmp_path: Path) -> None:
    out = run_demo_script(tmp_path, ["/help", "[press: Nonexistent]"])
    assert "Nonexistent" in out
