#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the zombiememcg selftests inside a test VM and prints TAP on stdout.
# ZMC_MODULE names the module to load (default /lib/zombiememcg/zombiememcg.ko).
dir=$(dirname "$0")
exec "$dir/zombiememcg_test" "${ZMC_MODULE:-/lib/zombiememcg/zombiememcg.ko}"
