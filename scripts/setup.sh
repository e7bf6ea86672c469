#!/usr/bin/env bash
# Installs what gpugrad's benchmarks and tests need on a fresh Debian machine, skipping what is
# there: the Vulkan loader (libvulkan1) that Dawn loads in Node, Chromium for the headless
# browser tests (it also ships SwiftShader, the CPU Vulkan driver used when there is no GPU),
# then the npm packages. Needs root for apt-get when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo 'setup: needs Node 20 (>=20.19) and npm on PATH' >&2; exit 1; }

has_vulkan_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; }
if [[ ! -x /usr/bin/chromium ]] || ! has_vulkan_loader; then
  echo 'setup: installing chromium and libvulkan1 (apt-get)'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium libvulkan1
fi

# Puppeteer must not fetch its own browser: the tests launch /usr/bin/chromium.
export PUPPETEER_SKIP_DOWNLOAD=1
npm ci
