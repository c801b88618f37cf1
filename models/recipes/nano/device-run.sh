#!/usr/bin/env bash
# Steps of the nano recipe on the H200, one or more per device call (a call may run 10 minutes). Inputs come
# from the working tree (models/recipes/nano/runs/ holds earlier steps' outputs); outputs go to $OUT, split into
# parts of at most 15 MiB because the device returns at most 8 files of 16 MiB.
#   bash device-run.sh STEP=MINUTES [STEP=MINUTES ...]      STEP: smoke | vq | image | video
#   RESUME="vq image"  continue those steps from their earlier run in runs/ instead of starting afresh
#   VQDEC=MINUTES      beside an image or video step, fine-tune the vision tokenizer's decoder (codes unchanged)
#   LR=...             the decoder's peak learning rate
#   VQ_ARGS="..."      more arguments for train_vq.py, split at spaces (--focus 4 --edge 2; --config {"codebook_size":4096})
#   FROM=PACKAGE       start from a packaged checkpoint (unpack.py): its tokenizer as vq, its decoder as the stage
#                      its training/state.json names, so RESUME continues that stage's schedule
#   NANO_WORLD=next-world.json   train on the next generation's world constants (world.py reads it)
set -euo pipefail
cd "$(dirname "$0")"
work=/tmp/nano; mkdir -p "$work" "$OUT"
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader || true
have() { [ -d "$work/$1" ] || { cat "runs/$1".tar.part-* | tar -xf - -C "$work"; }; }
pack() { rm -f "$OUT/$1".tar.part-*; tar -cf - -C "$work" "$1" | split -b 15M - "$OUT/$1.tar.part-"; }
resumes() { [[ " ${RESUME:-} " == *" $1 "* ]]; }
# The earlier run of a step, moved aside as NAME-prev so that the step's new output can take its place.
previous() { have "$1"; rm -rf "$work/$1-prev"; mv "$work/$1" "$work/$1-prev"; }
lr=(); [ -n "${LR:-}" ] && lr=(--lr "$LR")
read -r -a vq_args <<< "${VQ_ARGS:-}"
[ -n "${FROM:-}" ] && python3 unpack.py --package "$FROM" --out "$work"

# The image step's decoder travels in bf16 (the device carries at most 64 MiB of working tree).
to_bf16() {
  python3 - "$1" <<'PY'
import sys
from safetensors.torch import load_file, save_file
f = sys.argv[1] + "/decoder.safetensors"
save_file({k: t.bfloat16() if t.is_floating_point() else t for k, t in load_file(f).items()}, f)
PY
}

vq_decoder_start() {
  [ -n "${VQDEC:-}" ] || return 0
  python3 train_vq.py --init "$work/vq" --decoder-only --out "$work/vq-dec" --minutes "$VQDEC" --seed 3 \
    > "$OUT/vq-dec.log" 2>&1 &
  vqdec_pid=$!
}
vq_decoder_finish() {
  [ -n "${VQDEC:-}" ] || return 0
  wait "$vqdec_pid"; tail -3 "$OUT/vq-dec.log"
  rm -rf "$work/vq"; mv "$work/vq-dec" "$work/vq"; pack vq
}

step() {
  local name=$1 minutes=$2
  case "$name" in
    smoke)
      python3 train_vq.py --out "$work/vq" --minutes 0.4
      python3 train_decoder.py --vq "$work/vq" --out "$work/image" --stage image --minutes 0.3
      python3 train_decoder.py --vq "$work/vq" --out "$work/video" --stage video --init "$work/image" --minutes 0.3
      python3 package.py --vq "$work/vq" --decoder "$work/video" --out "$work/nano"
      pack nano ;;
    vq)
      local init=()
      if resumes vq; then previous vq; init=(--init "$work/vq-prev"); fi
      python3 train_vq.py --out "$work/vq" --minutes "$minutes" "${init[@]}" "${vq_args[@]}"
      pack vq ;;
    image)
      have vq
      local init=()
      if resumes image; then previous image; init=(--init "$work/image-prev"); fi
      vq_decoder_start
      python3 train_decoder.py --vq "$work/vq" --out "$work/image" --stage image --minutes "$minutes" "${init[@]}" "${lr[@]}"
      rm -rf "$work/image/original"; to_bf16 "$work/image"; pack image
      vq_decoder_finish ;;
    video)
      have vq
      local init=(--init "$work/image")
      if resumes video; then previous video; init=(--init "$work/video-prev"); else have image; fi
      vq_decoder_start
      python3 train_decoder.py --vq "$work/vq" --out "$work/video" --stage video --minutes "$minutes" "${init[@]}" "${lr[@]}"
      vq_decoder_finish
      python3 package.py --vq "$work/vq" --decoder "$work/video" --out "$work/nano"
      cp "$work/video/decoder_log.json" "$work/nano/training-video.json"
      pack nano
      rm -rf "$work/video/original"; to_bf16 "$work/video"; pack video ;;
    *) echo "unknown step $name" >&2; exit 2 ;;
  esac
}

for arg in "$@"; do
  name=${arg%%=*}; minutes=8; [[ "$arg" == *=* ]] && minutes=${arg#*=}
  step "$name" "$minutes"
done
ls -la "$OUT"
