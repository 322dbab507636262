#!/usr/bin/env bash
# The whole test suite (slow tests included), with every extra the tests exercise installed.
source "$(dirname "$0")/_env.sh"
lf_env dev
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
