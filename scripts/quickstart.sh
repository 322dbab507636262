#!/usr/bin/env bash
# The main job on the data lf ships: apply the demo LF module to the demo corpus and print
# the LF report (with gold labels, so empirical accuracies show).
source "$(dirname "$0")/_env.sh"
lf_env core
cd "$ROOT"
exec "$VENV/bin/lf" report datasets/demo/comments.csv --lfs labeling_functions/demo_spam.py --gold label "$@"
