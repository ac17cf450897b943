#!/usr/bin/env bash
# Prints the id of the newest successful run of the GPU workflow (gpu.yml) for commit $1 whose
# artifact book-html-full has not expired; prints nothing when there is none.
# Needs GH_TOKEN (a token that may read actions) and GITHUB_REPOSITORY, as in a workflow.
set -euo pipefail
sha="${1:?usage: gpu-book-run.sh COMMIT_SHA}"
runs=$(gh api "repos/${GITHUB_REPOSITORY}/actions/workflows/gpu.yml/runs?head_sha=${sha}&status=success&per_page=20" \
  --jq '.workflow_runs[].id')
for run in $runs; do
  artifacts=$(gh api "repos/${GITHUB_REPOSITORY}/actions/runs/${run}/artifacts" \
    --jq '.artifacts[] | select(.name == "book-html-full" and (.expired | not)) | .id')
  if [ -n "$artifacts" ]; then
    echo "$run"
    exit 0
  fi
done
