#!/usr/bin/env bash
# One step of the nano recipe on the H200 (each fits the device's 10-minute runs). Inputs come from the
# working tree (models/recipes/nano/runs/ holds earlier steps' outputs); outputs go to $OUT, split into
# parts of at most 15 MiB because the device returns at most 8 files of 16 MiB.
#   bash device-run.sh smoke | vq | image | video
set -euo pipefail
cd "$(dirname "$0")"
step=$1
work=/tmp/nano; mkdir -p "$work" "$OUT"
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader || true
unpack() { mkdir -p "$work/$1"; cat "runs/$1".tar.part-* | tar -xf - -C "$work"; }
pack() { tar -cf - -C "$work" "$1" | split -b 15M - "$OUT/$1.tar.part-"; }
case "$step" in
  smoke)
    python3 train_vq.py --out "$work/vq" --minutes 0.4
    python3 train_decoder.py --vq "$work/vq" --out "$work/image" --stage image --minutes 0.3
    python3 train_decoder.py --vq "$work/vq" --out "$work/video" --stage video --init "$work/image" --minutes 0.3
    python3 package.py --vq "$work/vq" --decoder "$work/video" --out "$work/nano"
    pack nano ;;
  vq)
    # RESUME=1 continues from the vq run in runs/ (its output replaces it).
    if [ "${RESUME:-0}" = 1 ]; then unpack vq; mv "$work/vq" "$work/vq-prev"; init=(--init "$work/vq-prev"); else init=(); fi
    python3 train_vq.py --out "$work/vq" --minutes "${MINUTES:-8}" "${init[@]}"
    pack vq ;;
  image)
    unpack vq
    python3 train_decoder.py --vq "$work/vq" --out "$work/image" --stage image --minutes "${MINUTES:-8}"
    rm -rf "$work/image/original"; pack image ;;
  video)
    unpack vq; unpack image
    python3 train_decoder.py --vq "$work/vq" --out "$work/video" --stage video --init "$work/image" --minutes "${MINUTES:-8}"
    python3 package.py --vq "$work/vq" --decoder "$work/video" --out "$work/nano"
    cp "$work/video/decoder_log.json" "$work/nano/training-video.json"
    pack nano ;;
esac
ls -la "$OUT"
