#!/bin/bash
# Installs the Debian packages tinyforge needs, if any are missing. Sourced by demo.sh and test.sh.
# A second run needs no network: packages are checked with dpkg first. A non-root user who already has
# every package never touches apt.
TINYFORGE_PACKAGES=(cmake make g++ pkg-config libsystemc-dev libboost-program-options-dev nlohmann-json3-dev
                    catch2 verilator libonnx-dev libprotobuf-dev yosys iverilog libmuparser-dev libyaml-cpp-dev
                    openmpi-bin libopenmpi-dev slurm-wlm munge libeigen3-dev python3-matplotlib python3-numpy
                    python3-torch python3-sklearn python3-onnx  # scripts/train_acim_aware.py and its test
                    python3-scipy  # tests/lmu: the LMU matrices against cont2discrete
                    espeak-ng sox alsa-utils  # scripts/make_kws_data.sh: synthetic keywords; human clips (ood)
                    libfftw3-dev libsndfile1-dev  # the keyword front end (FFT, WAV files)
                    dpkg-dev file  # dpkg-dev, file: the .deb's Depends (cpack, dpkg-shlibdeps)
                    clang libclang-rt-14-dev)  # libFuzzer for fuzz/run.sh (docs/reliability.md)

tinyforge_install_deps() {
  local missing=() p
  for p in "${TINYFORGE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "tinyforge: installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "tinyforge: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
      return 1
    fi
  fi
  $sudo apt-get update -q || return 1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

tinyforge_build() {  # tinyforge_build [TARGET...]
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >"$root/build.configure.log" 2>&1 ||
    { cat "$root/build.configure.log"; return 1; }
  if [ $# -gt 0 ]; then
    local t
    for t in "$@"; do cmake --build "$root/build" -j2 --target "$t" || return 1; done
  else
    cmake --build "$root/build" -j2 || return 1
  fi
}
