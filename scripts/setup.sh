#!/usr/bin/env bash
# Installs everything the demo and the tests need on a fresh Debian machine, then this package's
# npm dependencies. The first of the README's two set-up commands; `.ci/run` uses it too.
# System packages need root: run as root, or as a user who may sudo. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

# What each is for: checking the run: scripts of generated workflows (shellcheck); the real image
# build of `npm run test:image` from stand-in base images (buildah, podman, debootstrap); release,
# credential-helper and fresh-clone tests (git, ca-certificates); the tools the generated workflows' scripts
# call (jq); the real tikv-jemallocator built offline from ../shared/vendor/cargo with
# Debian's crates (librust-cc-dev, librust-libc-dev, with make and a C compiler: gcc, libc6-dev;
# see that folder's README).
packages=(shellcheck buildah podman debootstrap git ca-certificates jq librust-cc-dev librust-libc-dev make gcc libc6-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "scripts/setup.sh: installing ${missing[*]} needs root: run it as root or install sudo" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "scripts/setup.sh: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# cargo builds and checks the generated crates offline; it cannot come from Debian (too old).
if ! command -v cargo >/dev/null 2>&1; then
  echo "scripts/setup.sh: cargo (Rust 1.75 or newer, with rustfmt and clippy) must be on PATH: see https://rustup.rs" >&2
  exit 1
fi

npm ci --no-audit --no-fund
