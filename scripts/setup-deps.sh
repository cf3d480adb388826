#!/usr/bin/env bash
# Installs the Debian packages zkm31 needs, only those missing; silent when everything is present.
# `setup-deps.sh fuzz` adds what `make fuzz` needs (clang and its libFuzzer/sanitizer runtimes).
# --browser: only chromium, which the audit report test renders pages with (`make test` asks for it).
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libcli11-dev libmsgpack-cxx-dev libxxhash-dev libcurl4-openssl-dev
  libgtest-dev bats bats-support bats-assert
  libonnx-dev libprotobuf-dev protobuf-compiler
  libb2-dev nlohmann-json3-dev libssl-dev libsodium-dev
  python3 jq python3-msgpack python3-xxhash
  parallel rsync openssh-client openssh-server age bash-builtins
)
case "${1:-}" in
  fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
  --browser) packages=(chromium) ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
