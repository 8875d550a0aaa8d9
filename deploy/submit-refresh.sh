#!/usr/bin/env bash
# spark-submit wrapper for `cascade-tuner refresh`: the nightly cache refresh (manifest, text embeddings, latents of
# new or changed images only). --help for the options.
# Default ND4J off-heap of 8g per executor: CLIP-G (695M parameters, 2.8 GB in float32) and the EfficientNet
# encoder, loaded once per executor, plus a batch of activations.
set -euo pipefail
JOB=refresh
DEFAULT_OFFHEAP=8g
# shellcheck source=deploy/lib/submit-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/submit-common.sh"
submit_main "$@"
