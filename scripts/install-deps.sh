#!/usr/bin/env bash
# Installs every build and test dependency of wirescan from Debian bookworm (and catch2 3.x from
# bookworm-backports). Idempotent: when every package is already present it does no network work.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  librdkafka-dev libsimdjson-dev prometheus-cpp-dev libcivetweb-dev libvectorscan-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev rapidjson-dev libxxhash-dev libssl-dev
  catch2
  # Test tooling: JSON/YAML handling in test scripts, kcat for poking at topics, Java for the broker.
  python3 python3-yaml kafkacat default-jre-headless maven curl openssl
  # promtool (alert-rule tests, metric linting, the scrape test) and kubectl (kustomize render test).
  prometheus kubernetes-client
  # Fuzzing (libFuzzer ships in clang's runtime package) and the soak/baseline Kafka clients.
  clang libclang-rt-14-dev python3-confluent-kafka
  # Instruction counts for bench/instructions.py (callgrind).
  valgrind
)

missing=()
for p in "${packages[@]}"; do
  # catch2 must be the 3.x from backports; bookworm's own catch2 is 2.x.
  if [[ $p == catch2 ]]; then
    v=$(dpkg-query -W -f='${Status} ${Version}' catch2 2>/dev/null || true)
    [[ $v == "install ok installed 3."* ]] || missing+=(catch2)
    continue
  fi
  # Any kubectl will do (some images ship a newer one that conflicts with Debian's package).
  if [[ $p == kubernetes-client ]] && command -v kubectl >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

backports=/etc/apt/sources.list.d/bookworm-backports.sources
if [[ ! -f $backports ]]; then
  $sudo tee "$backports" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
others=()
for p in "${missing[@]}"; do [[ $p == catch2 ]] || others+=("$p"); done
if [[ ${#others[@]} -gt 0 ]]; then
  $sudo apt-get install -y -qq --no-install-recommends "${others[@]}"
fi
if printf '%s\n' "${missing[@]}" | grep -qx catch2; then
  $sudo apt-get install -y -qq --no-install-recommends -t bookworm-backports catch2
fi
echo "install-deps: done"
