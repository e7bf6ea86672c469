#!/usr/bin/env bash
# Installs what gpugrad's benchmarks and tests need, skipping what is there, then the npm
# packages. On Debian (apt-get; needs root when something is missing): the Vulkan
# loader (libvulkan1) that Dawn loads in Node, and Chromium, which the headless browser tests
# launch and whose SwiftShader (a CPU Vulkan driver, /usr/lib/chromium) Node falls back to
# without a GPU. Elsewhere it installs no system package and says what the README asks for.
# `npm ci` then runs Puppeteer's install script, which downloads a Chrome only when no system
# browser is found (.puppeteerrc.cjs).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo 'setup: needs Node 20 (>=20.19) and npm on PATH' >&2; exit 1; }

has_vulkan_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; }
if [[ "$(uname -s)" == Linux ]]; then
  missing=()
  [[ -e /usr/lib/chromium/vk_swiftshader_icd.json ]] || missing+=(chromium)
  has_vulkan_loader || missing+=(libvulkan1)
  if (( ${#missing[@]} )) && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  elif (( ${#missing[@]} )); then
    echo "setup: no apt-get here; without a GPU, Node needs the Vulkan loader and SwiftShader (README, Tests)" >&2
  fi
fi

npm ci
