#!/usr/bin/env bash
# The whole test suite on real services. Starts RabbitMQ, Postgres + pgvector and Azurite first (containers where a
# Docker engine answers, local processes otherwise), builds, runs every test project, and ends with one line:
#   N passed, N failed[, N skipped]
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
CONFIGURATION=${CONFIGURATION:-Release}

deploy/local/services.sh up
# Debian's Chromium for the search page tests (tests/Pipeline.Tests.Api); Playwright's own browser download cannot run here.
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
# A Hangul font for the pictures of Korean text the OCR tests draw (tests/Pipeline.Tests.Unit/Ocr/OtherScriptsTests).
[[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ]] ||
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-nanum >/dev/null; }
# shellcheck disable=SC1091
. .local/services.env

# transformers.js for tests/Pipeline.Conformance, from its package-lock.json; reinstalled only when package.json or
# package-lock.json changed since the last install (hash kept in node_modules, which npm ci recreates).
js=tests/Pipeline.Conformance/js
js_hash=$(cat "$js/package.json" "$js/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ "$(cat "$js/node_modules/.installed-from" 2>/dev/null)" != "$js_hash" ]]; then
  (cd "$js" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$js_hash" >"$js/node_modules/.installed-from"
fi

# The deployment files, before anything is built: docker-compose.yml must stay valid for Debian's docker-compose 1.29,
# the GPU profile included, and deploy/*.Dockerfile must pass dockerfilelint (deploy/lint; hadolint has no package that
# installs here). tests/Pipeline.Tests.Unit/Deploy checks what they mean. A failed install fails the run: never skipped.
if ! command -v docker-compose >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; } ||
    { echo "scripts/test.sh: could not install docker-compose (apt) to validate docker-compose.yml" >&2; exit 1; }
fi
for profile in "" gpu; do
  docker-compose -f docker-compose.yml ${profile:+--profile "$profile"} config -q ||
    { echo "scripts/test.sh: docker-compose.yml is not valid${profile:+ with --profile $profile} for $(docker-compose version --short)" >&2; exit 1; }
done
lint=deploy/lint
lint_hash=$(cat "$lint/package.json" "$lint/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ "$(cat "$lint/node_modules/.installed-from" 2>/dev/null)" != "$lint_hash" ]]; then
  (cd "$lint" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    { echo "scripts/test.sh: could not install dockerfilelint (npm ci in $lint)" >&2; exit 1; }
  echo "$lint_hash" >"$lint/node_modules/.installed-from"
fi
lint_report=$("$lint/node_modules/.bin/dockerfilelint" deploy/*.Dockerfile) ||
  { echo "$lint_report" >&2; echo "scripts/test.sh: deploy/*.Dockerfile have lint issues (dockerfilelint)" >&2; exit 1; }

dotnet build Pipeline.sln -c "$CONFIGURATION" -nologo -clp:NoSummary -v:quiet
[[ -f models/cache/ppocr-v4/model.lock.json ]] || dotnet src/Pipeline.Cli/bin/"$CONFIGURATION"/net10.0/pipeline.dll models fetch ppocr-v4 >/dev/null
deploy/local/samples.sh >/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test --solution Pipeline.sln -c "$CONFIGURATION" --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The MTP runner closes with "Test run summary" and total/failed/succeeded/skipped lines for the whole solution.
read -r passed failed skipped < <(awk '
  /Test run summary/ { summary = 1 }
  summary && $1 == "failed:"    { f = $2 }
  summary && $1 == "succeeded:" { p = $2 }
  summary && $1 == "skipped:"   { s = $2 }
  END { printf "%d %d %d\n", p, f, s }' "$log")

if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1 # the runner failed without counting a test failure (build or crash): never report green
fi

# A fresh clone with nothing beside it (no reference folders beside it, no .local/, no models/cache) runs the README's main command
# against the services already up, in a database of its own: a file read from outside the repository, or a demo that
# describes fewer sample images than it has (all but the truncated JPEG), fails the run. It counts as one test.
clone_parent=$(mktemp -d /tmp/pipeline-fresh-clone.XXXXXX)
clone_database=pipeline_fresh_clone_$$
clone_log="$clone_parent/demo.log"
clone_started=$EPOCHSECONDS
set +e
(
  set -e
  git clone --quiet --no-hardlinks "$REPO" "$clone_parent/pipeline"
  cd "$clone_parent/pipeline"
  ConnectionStrings__Postgres="${ConnectionStrings__Postgres/Database=pipeline/Database=$clone_database}" scripts/demo.sh --stand-in-models
) >"$clone_log" 2>&1
clone_status=$?
set -e
clone_samples=$(find "$clone_parent/pipeline/.local/samples" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l)
read -r clone_described clone_failed clone_pending < <(sed -nE 's/^([0-9]+) described, ([0-9]+) failed, ([0-9]+) pending after .*/\1 \2 \3/p' "$clone_log" | tail -n1; echo "0 0 0")
echo "Fresh clone, scripts/demo.sh --stand-in-models: exit $clone_status after $((EPOCHSECONDS - clone_started)) s; $clone_samples samples, $clone_described described, $clone_failed failed, $clone_pending pending"
if [[ $clone_status -eq 0 && $clone_samples -gt 1 && $clone_described -ge $((clone_samples - 1)) && $clone_pending -eq 0 ]]; then
  passed=$((passed + 1))
else
  tail -n 40 "$clone_log"
  failed=$((failed + 1))
  status=1
fi
PGPASSWORD=pipeline psql -h 127.0.0.1 -p "${PIPELINE_PG_PORT:-5432}" -U pipeline -d postgres -qc "DROP DATABASE IF EXISTS $clone_database WITH (FORCE)" >/dev/null 2>&1 || true
rm -rf "$clone_parent"

# The GPU build (-p:OnnxRuntimeFlavor=Gpu, what deploy/worker.gpu.Dockerfile publishes) must restore, compile against
# the same managed API, and fall back or refuse as configured where CUDA cannot load. Built apart (its own artifacts
# folder), so the CPU build above is untouched; its results count in the summary line.
gpu_build=.local/gpu-flavour
gpu_class=Pipeline.Tests.Unit.Runtime.OnnxSessionFactoryTests
set +e
dotnet build tests/Pipeline.Tests.Unit/Pipeline.Tests.Unit.csproj -c "$CONFIGURATION" -nologo -clp:NoSummary -v:quiet \
  -p:OnnxRuntimeFlavor=Gpu --artifacts-path "$gpu_build" >"$log" 2>&1 &&
  dotnet "$gpu_build/bin/Pipeline.Tests.Unit/${CONFIGURATION,,}/Pipeline.Tests.Unit.dll" -class "$gpu_class" >"$log" 2>&1
gpu_status=$?
set -e
gpu_report=$(sed 's/\x1b\[[0-9;]*m//g' "$log") # the xunit runner colours its lines
echo "GPU build ($gpu_class):"
grep -E "error|Failed|Total:" <<<"$gpu_report" || true
read -r gpu_total gpu_failed gpu_skipped < <(awk -F'[ ,]+' '
  /Total:/ { for (i = 1; i < NF; i++) { if ($i == "Total:") t = $(i+1); if ($i == "Failed:") f = $(i+1); if ($i == "Skipped:") s = $(i+1) } }
  END { printf "%d %d %d\n", t, f, s }' <<<"$gpu_report")
if [[ ($gpu_status -ne 0 || $gpu_total -eq 0) && $gpu_failed -eq 0 ]]; then
  gpu_failed=1 # the GPU build did not restore or compile, its runner crashed, or it ran no test
fi
passed=$((passed + gpu_total - gpu_failed - gpu_skipped))
failed=$((failed + gpu_failed))
skipped=$((skipped + gpu_skipped))
status=$((status | gpu_status))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[[ $status -eq 0 && $failed -eq 0 && $passed -gt 0 ]]
