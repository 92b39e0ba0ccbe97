#!/usr/bin/env bash
# Copies rules/ into deploy/k8s/rules/, which kustomize needs inside its folder so that
# `kubectl apply -k deploy/k8s` works without flags. A unit test fails when they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p deploy/k8s/rules
cp rules/* deploy/k8s/rules/
echo "deploy/k8s/rules synced from rules/"
