#!/usr/bin/env bash
# Sample photos for local testing, taken from Debian's python3-skimage package
# (skimage/data: astronaut.png, chelsea.png, coffee.png, rocket.jpg, ...).
# The package is only downloaded and unpacked, never installed.
#
#   deploy/local/samples.sh [DEST]     (default: $REPO/.local/samples)
#
# Idempotent: does nothing when DEST already holds the extracted set.
# DEST is under the gitignored .local/ by default; never commit these files.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
DEST=${1:-$REPO/.local/samples}
PACKAGE=python3-skimage
STAMP="$DEST/.extracted"

log() { printf '[samples] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

list() {
  local f info desc
  while IFS= read -r f; do
    desc=""
    if command -v file >/dev/null; then # e.g. "PNG 512x512 8-bit/color RGB"
      info=$(file -b "$DEST/$f")
      desc="${info%% *} $(grep -oE '[0-9]+ ?x ?[0-9]+' <<<"$info" | tail -n1 | tr -d ' ')"
      [[ $info == PNG* ]] && desc+=" $(cut -d, -f3 <<<"$info" | sed 's/^ *//')"
    fi
    printf '[samples]   %-26s %7s bytes  %s\n' "$f" "$(stat -c %s "$DEST/$f")" "$desc" >&2
  done < <(sed 1d "$STAMP")
}

# Already extracted: the stamp lists the package version and every file.
if [[ -f $STAMP ]]; then
  complete=1
  while IFS= read -r f; do [[ -f $DEST/$f ]] || complete=0; done < <(sed 1d "$STAMP")
  if ((complete)); then
    log "$(($(wc -l <"$STAMP") - 1)) sample images already in $DEST ($(head -n1 "$STAMP"))"
    list
    exit 0
  fi
fi

tmp=$(mktemp -d /tmp/pipeline-samples.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
# apt downloads as the _apt user when it can write the directory.
if ((EUID == 0)) && id _apt >/dev/null 2>&1; then chown _apt: "$tmp"; fi

download() { (cd "$tmp" && apt-get download -qq "$PACKAGE" >/dev/null 2>"$tmp/apt.err"); }
if ! download; then
  ((EUID == 0)) || { cat "$tmp/apt.err" >&2; die "apt-get download $PACKAGE failed (run apt-get update as root?)"; }
  log "apt-get update"
  apt-get update -qq >/dev/null
  download || { cat "$tmp/apt.err" >&2; die "apt-get download $PACKAGE failed"; }
fi
deb=$(ls "$tmp"/"$PACKAGE"_*.deb)
version=$(dpkg-deb -f "$deb" Version)
log "unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$tmp/root"

data=$(find "$tmp/root" -type d -path '*/skimage/data' | head -n1)
[[ -n $data ]] || die "no skimage/data directory in $(basename "$deb")"

mkdir -p "$DEST"
echo "$PACKAGE $version" >"$tmp/stamp"
while IFS= read -r f; do
  cp "$data/$f" "$DEST/$f"
  echo "$f" >>"$tmp/stamp"
done < <(find "$data" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \
  -o -iname '*.gif' -o -iname '*.bmp' \) -printf '%f\n' | sort)
mv "$tmp/stamp" "$STAMP"

log "extracted $(($(wc -l <"$STAMP") - 1)) sample images from $PACKAGE $version into $DEST"
list
