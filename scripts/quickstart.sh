#!/usr/bin/env bash
# The main job on the data lf ships: apply the demo LF module to the demo corpus, fit the
# default label model, write probabilistic labels to out/demo_labels.parquet and print the
# LF report (with the demo's gold labels, so empirical and learned accuracies show side by side).
source "$(dirname "$0")/_env.sh"
lf_env core
cd "$ROOT"
mkdir -p out
exec "$VENV/bin/lf" label datasets/demo/comments.csv --lfs labeling_functions/demo_spam.py \
    --gold label -o out/demo_labels.parquet "$@"
