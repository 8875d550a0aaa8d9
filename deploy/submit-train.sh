#!/usr/bin/env bash
# spark-submit wrapper for `cascade-tuner train` (LoRA or full fine-tune of Stage C). --help for the options.
# Default ND4J off-heap of 24g per executor: Stage C LoRA with the frozen 3.6B prior in float32 (14.4 GB) plus
# activations under gradient checkpointing; see README "Deploy" for the full fine-tune and lite sizes.
set -euo pipefail
JOB=train
DEFAULT_OFFHEAP=24g
# shellcheck source=deploy/lib/submit-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/submit-common.sh"
submit_main "$@"
