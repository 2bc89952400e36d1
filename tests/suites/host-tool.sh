#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: zombiememcgstat's own tests (TAP on stdout).
set -euo pipefail
exec make -s -C "$(dirname "$0")/../../tools" check
