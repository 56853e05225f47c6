#!/usr/bin/env bash
# Set up .venv (if needed) and chat with the bot in the terminal: fake Quran.com, fake Telegram,
# a demo account already linked. Pass --script FILE to replay a conversation.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[sandbox]'
exec .venv/bin/python -m sandbox "$@"
