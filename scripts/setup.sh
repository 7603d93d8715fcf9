#!/usr/bin/env bash
# Installs the Debian 12 packages descent needs, and only those that are missing.
# Idempotent and quick when everything is present. Usage: scripts/setup.sh [--bench]
set -euo pipefail

# Packages for building and testing. Append here; keep one list.
PACKAGES=(
  build-essential
  cmake
  g++
  clang
  clang-format
  libopenblas-dev
  libopenblas0-pthread
  nlohmann-json3-dev
  libcli11-dev
  libfmt-dev
  zlib1g-dev
  dataset-fashion-mnist
  libgtest-dev
  libgmock-dev
  googletest
  libbenchmark-dev
  pkg-config
  nodejs
  npm
  libcpp-httplib-dev
  chromium
)

# Extra packages for `make bench` (PyTorch runs with /usr/bin/python3).
BENCH_PACKAGES=(
  python3-torch
)

want=("${PACKAGES[@]}")
for arg in "$@"; do
  case "$arg" in
    --bench) want+=("${BENCH_PACKAGES[@]}") ;;
    -h | --help)
      echo "usage: $0 [--bench]"
      exit 0
      ;;
    *)
      echo "setup: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  # NodeSource's nodejs package bundles npm and conflicts with Debian's; any npm on PATH does.
  if [[ "$pkg" == npm ]] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

install_packages() {
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup: all packages present"
    return 0
  fi
  echo "setup: installing missing packages: ${missing[*]}"
  local run_root
  if [[ $(id -u) -eq 0 ]]; then
    run_root=()
  elif command -v sudo >/dev/null 2>&1; then
    run_root=(sudo)
  else
    echo "setup: error: not root and sudo is not available; as root, run:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${run_root[@]}" apt-get update -q
  "${run_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  echo "setup: packages installed"
}

# npm packages from web/package-lock.json: uPlot (embedded into HTML reports at build time), the
# web lab's d3 modules, and its build and test tools (esbuild, typescript, playwright-core).
install_web() {
  local web_dir
  web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
  local need=(
    uplot/dist/uPlot.iife.min.js
    d3-contour/package.json
    d3-drag/package.json
    d3-scale/package.json
    d3-selection/package.json
    esbuild/package.json
    typescript/package.json
    playwright-core/package.json
  )
  local complete=1
  for f in "${need[@]}"; do
    [[ -f "$web_dir/node_modules/$f" ]] || complete=0
  done
  if [[ $complete -eq 1 ]]; then
    echo "setup: web packages present"
    return 0
  fi
  echo "setup: npm ci in $web_dir"
  (cd "$web_dir" && npm ci --no-audit --no-fund)
}

install_packages
install_web
echo "setup: done"
