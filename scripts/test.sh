#!/bin/bash
# Installs what is missing, builds everything, runs the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
tinyforge_install_deps
tinyforge_build
cd build
ctest --output-on-failure -j2
