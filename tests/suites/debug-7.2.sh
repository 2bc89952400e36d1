#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the debug tier on a debug 7.2 kernel built from Debian's
# linux-source-7.2 (KUnit, stress, fault injection, fuzzing under KASAN,
# lockdep and kmemleak). TAP on stdout; see vm/debug/check.sh.
exec "$(dirname "$0")/../../vm/debug/check.sh" 7.2
