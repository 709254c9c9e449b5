#!/bin/bash
# Synthesizes the keyword-spotting set (docs/kws.md) into a cache folder, once: espeak-ng and sox (installed
# with the other dependencies by scripts/deps.sh when missing), seeded and deterministic, split by voice.
# usage: scripts/make_kws_data.sh [DIR] [kws_synth.py options: --per-class N --seed S --jobs J --force]
# DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/tinyforge/kws. A second run with the same options does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/tinyforge/kws
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then dir=$1; shift; fi
if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then
  source "$root/scripts/deps.sh"
  tinyforge_install_deps
fi
mkdir -p "$(dirname "$dir")"
exec /usr/bin/python3 "$root/scripts/kws_synth.py" --out "$dir" "$@"
