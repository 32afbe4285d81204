#!/usr/bin/env bash
# The main job on this machine: start the services, apply migrations, start the worker, ingest a folder of images
# (Debian's scikit-image sample photos by default) and print each image's result.
#
#   scripts/demo.sh [--stand-in-models] [FOLDER]
#
# The CLIP image model is read from models/cache/clip-vit-base-patch32 (Xenova layout). Where the real weights are not
# there (they cannot be downloaded on machines without Hugging Face access), --stand-in-models runs a generated
# random-weight model instead, and every result is then marked STAND-IN: its vectors mean nothing.
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

model=models/cache/clip-vit-base-patch32
if [[ ! -f $model/onnx/vision_model.onnx ]]; then
  if [[ $stand_in -eq 0 ]]; then
    say "The real CLIP weights (Xenova/clip-vit-base-patch32, see models/manifest.json) are not in $model and cannot be downloaded from this machine; re-run with --stand-in-models for a smoke test whose results are marked STAND-IN."
    exit 2
  fi
  model=.local/models/stand-in-clip-vit-base-patch32
  say "using a generated STAND-IN CLIP model (random weights) in $model"
  dotnet run --project tests/Pipeline.StandInModels -c Release -v:quiet -- clip-vision --out "$model" --hidden 64 >/dev/null
fi

mkdir -p .local
say "starting the worker (log: .local/worker.log)"
Models__ImageEmbedder__Path=$model DOTNET_ENVIRONMENT=Production \
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
