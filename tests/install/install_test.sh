#!/bin/bash
# The installed tinyforge, away from its source tree, in the two ways users get it:
#   1. `cmake --install BUILD --prefix P` into a temporary directory, then moved elsewhere (the binary must find
#      its data relative to itself, not where it was installed);
#   2. the .deb files of `cpack`, their control fields checked (Depends names installed Debian packages), then
#      unpacked with `dpkg -x` into a temporary root (an installation under ROOT/usr).
# For each, check_installed.sh runs the installed command and the find_package example with the source tree
# (and the build tree) hidden: an empty tmpfs is mounted over them in a private mount namespace
# (`unshare -rm`). Where namespaces are not allowed the checks run without hiding, and then rely on
# `tinyforge --version` naming a data directory inside the installation and on no output naming the source.
# usage: tests/install/install_test.sh [BUILD_DIR]   (default: build/ of this tree, already built; .ci/run)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
[ -x "$build/sim/app/tinyforge" ] || { echo "install_test: build first (scripts/test.sh)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tinyforge-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work/" in "$src/"* | "$build/"*) echo "install_test: TMPDIR must be outside $src" >&2; exit 2 ;; esac
fail() { echo "FAIL: $*" >&2; exit 1; }
start=$SECONDS

# The checks run from a copy: the source tree is hidden while they run.
cp "$src/tests/install/check_installed.sh" "$work/check_installed.sh"
cp -r "$src/examples/hls_find_package" "$work/example"

echo "== cmake --install"
cmake --install "$build" --prefix "$work/staging" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
mv "$work/staging" "$work/prefix"
P=$work/prefix
for f in bin/tinyforge include/tinyforge/hls/dense.h include/tinyforge/hls/fixed.h \
         share/tinyforge/configs/tech/28nm.json share/tinyforge/configs/cim/digital_28nm.json \
         share/tinyforge/configs/models/digits_mlp.onnx share/tinyforge/configs/sweeps/cim_array.json \
         share/tinyforge/rtl/lib/tf_quant.v share/tinyforge/scripts/plot_sweep.py share/tinyforge/scripts/tfplot.py \
         share/cmake/tinyforge/tinyforgeConfig.cmake share/cmake/tinyforge/tinyforgeConfigVersion.cmake \
         share/doc/tinyforge/README.md share/doc/tinyforge/docs/install.md; do
  [ -f "$P/$f" ] || fail "cmake --install: $f is missing"
done
for m in tinyforge-sc tinyforge-onnx tinyforge-audio; do
  [ -n "$(find "$P/lib" -path "*/tinyforge/$m.so" 2>/dev/null)" ] || fail "cmake --install: the module $m.so is missing"
done
for f in plot_sweep.py plot_run.py make_digits_mlp.py make_jet_mlp.py calibrate_cim.py; do
  [ -x "$P/share/tinyforge/scripts/$f" ] || fail "cmake --install: scripts/$f is not executable"
done
# The installed calibration check: installed configs, a technology table that names its base, the installed binary.
for m in compute_sram_wang2020 colonnade_kim2021 dcim_chih2021 acim_jia2020 acim_wang2023 acim_sinangil2021; do
  "$P/share/tinyforge/scripts/calibrate_cim.py" "$P/share/tinyforge/configs/cim/macros/$m" \
    --tinyforge "$P/bin/tinyforge" --check > "$work/calibrate.log" 2>&1 ||
    fail "installed scripts/calibrate_cim.py --check ($m): $(tail -3 "$work/calibrate.log")"
done
for f in deps.sh demo.sh test.sh; do
  [ ! -e "$P/share/tinyforge/scripts/$f" ] || fail "cmake --install: the repository's own scripts/$f was installed"
done
if [ -x "$build/sim/app/tinyforge-mpi" ]; then
  [ -x "$P/bin/tinyforge-mpi" ] || fail "cmake --install: bin/tinyforge-mpi (built) is missing"
fi
# Nothing installed but the binary (whose build-tree fallback names it) refers to the source tree.
leaks=$(grep -rlF "$src" "$P" --exclude-dir=bin || true)
[ -z "$leaks" ] || fail "installed files name the source tree $src: $leaks"

echo "== cpack (.deb)"
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" > "$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack"; }
version=$("$build/sim/app/tinyforge" --version | sed -n '1s/^tinyforge //p')
deb=$(ls "$work"/pkg/tinyforge_"$version"_*.deb 2>/dev/null) || fail "cpack made no tinyforge_${version}_*.deb: $(ls "$work/pkg")"
field() { dpkg-deb -f "$1" "$2"; }
depends=$(field "$deb" Depends)
recommends=$(field "$deb" Recommends)
echo "Depends: $depends"
echo "Recommends: $recommends"
for p in libsystemc libboost-program-options libprotobuf libonnx libmuparser libstdc++6; do
  grep -q "$p" <<< "$depends" || fail "$deb: Depends lacks $p: $depends"
done
for p in verilator yosys iverilog g++ python3-matplotlib; do
  grep -qw -- "$p" <<< "$recommends" || fail "$deb: Recommends lacks $p: $recommends"
done
grep -q "openmpi" <<< "$depends" && fail "$deb: the main package depends on OpenMPI: $depends"
[ -n "$(field "$deb" Maintainer)" ] && [ -n "$(field "$deb" Section)" ] && [ -n "$(field "$deb" Description)" ] ||
  fail "$deb: Maintainer, Section or Description is empty"
# Every package named in Depends exists in Debian and is installed here (the binary runs on this machine).
check_installed_packages() {  # DEB FIELD_VALUE
  local dep alt ok
  IFS=',' read -ra deps <<< "$2"
  for dep in "${deps[@]}"; do
    ok=0
    IFS='|' read -ra alts <<< "$dep"
    for alt in "${alts[@]}"; do
      alt=$(sed 's/(.*)//; s/ //g' <<< "$alt")
      [ "$alt" = tinyforge ] && ok=1
      dpkg-query -W -f='${Status}' "$alt" 2>/dev/null | grep -q "install ok installed" && ok=1
    done
    [ $ok = 1 ] || fail "$1: Depends names '$dep', which is not an installed Debian package here"
  done
}
check_installed_packages "$deb" "$depends"
dpkg-deb -c "$deb" | grep -q '\./usr/bin/tinyforge-mpi$' && fail "$deb holds tinyforge-mpi (it has its own package)"
mkdir "$work/root"
dpkg -x "$deb" "$work/root"
if [ -x "$build/sim/app/tinyforge-mpi" ]; then
  mdeb=$(ls "$work"/pkg/tinyforge-mpi_"$version"_*.deb 2>/dev/null) || fail "cpack made no tinyforge-mpi .deb"
  mdepends=$(field "$mdeb" Depends)
  echo "tinyforge-mpi Depends: $mdepends"
  grep -q "tinyforge (= $version)" <<< "$mdepends" || fail "$mdeb: Depends lacks tinyforge (= $version): $mdepends"
  grep -q "libopenmpi" <<< "$mdepends" || fail "$mdeb: Depends lacks libopenmpi: $mdepends"
  check_installed_packages "$mdeb" "$mdepends"
  dpkg -x "$mdeb" "$work/root"
  [ -x "$work/root/usr/bin/tinyforge-mpi" ] || fail "$mdeb: usr/bin/tinyforge-mpi is missing"
fi

# Runs check_installed.sh PREFIX with the source and build trees hidden when the system allows it.
hide=()
if unshare -rm true 2>/dev/null; then
  hidden=$src
  case "$build/" in "$src/"*) ;; *) hidden="$src $build" ;; esac
  hide=(unshare -rm bash -c 'for d in $1; do mount -t tmpfs tinyforge-hidden "$d" || exit 1; done; shift; exec bash "$@"' _
        "$hidden")
  echo "source tree hidden during the checks: $hidden (empty tmpfs, private mount namespace)"
else
  echo "NOTE: unshare -rm is not permitted here: the checks run with the source tree visible"
fi
run_checks() {  # NAME PREFIX
  echo "== $1: $2"
  (cd "$work" && "${hide[@]}" "$work/check_installed.sh" "$2" "$work/example" "$work/out-$1" "$src" "${#hide[@]}") ||
    fail "$1: the installed tinyforge failed (above)"
}
run_checks prefix "$P"
run_checks deb "$work/root/usr"
echo "install test: PASS ($((SECONDS - start)) s)"
