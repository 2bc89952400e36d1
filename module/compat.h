/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels zombiememcg supports (6.1 and later),
 * kept in this one place so that the other files read like upstream code.
 */
#ifndef _ZOMBIEMEMCG_COMPAT_H
#define _ZOMBIEMEMCG_COMPAT_H

#include <linux/version.h>

#if !IS_ENABLED(CONFIG_MEMCG)
#error "zombiememcg needs a kernel with CONFIG_MEMCG"
#endif

#if !IS_ENABLED(CONFIG_KPROBES)
#error "zombiememcg needs a kernel with CONFIG_KPROBES"
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "zombiememcg supports Linux 6.1 and later"
#endif

#endif /* _ZOMBIEMEMCG_COMPAT_H */
