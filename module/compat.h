/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels zombiememcg supports (6.1 and later),
 * kept in this one place so that the other files read like upstream code.
 * Detected from the kernel's configuration and headers, not its version.
 */
#ifndef _ZOMBIEMEMCG_COMPAT_H
#define _ZOMBIEMEMCG_COMPAT_H

#if !IS_ENABLED(CONFIG_MEMCG)
#error "zombiememcg needs a kernel with CONFIG_MEMCG"
#endif

#if !IS_ENABLED(CONFIG_KPROBES)
#error "zombiememcg needs a kernel with CONFIG_KPROBES"
#endif

#endif /* _ZOMBIEMEMCG_COMPAT_H */
