# SPDX-License-Identifier: GPL-2.0
# Kernel differences, detected from the kernel's headers (see compat.h).
# Included by module/Kbuild and module/tests/Kbuild, so that the module and
# its KUnit tests are built with the same flags.
zmc-grep = $(shell grep -qsE '$(1)' $(srctree)/include/linux/$(2) && echo -D$(3))
ccflags-y += $(call zmc-grep,struct lruvec_stats[[:space:]]+\*lruvec_stats;,memcontrol.h,ZMC_HAVE_LRUVEC_STATS_PTR)
ccflags-y += $(call zmc-grep,^struct css_rstat_cpu \{,cgroup-defs.h,ZMC_HAVE_CSS_RSTAT_CPU)
ccflags-y += $(call zmc-grep,const char[[:space:]]+__rcu \*name;,kernfs.h,ZMC_HAVE_KERNFS_NAME_RCU)
ccflags-y += $(call zmc-grep,struct memcg_vmstats[[:space:]]+\*vmstats;,memcontrol.h,ZMC_HAVE_MEMCG_VMSTATS_PTR)
ccflags-y += $(call zmc-grep,bool memcg_kmem_online.void,memcontrol.h,ZMC_HAVE_MEMCG_KMEM_ONLINE)
ccflags-y += $(call zmc-grep,struct cgroup \*. _low_ancestors,cgroup-defs.h,ZMC_HAVE_CGROUP_LOW_ANCESTORS)
ccflags-y += $(call zmc-grep,^struct shrinker_info_unit \{,shrinker.h,ZMC_HAVE_SHRINKER_INFO_UNIT)
ccflags-y += $(call zmc-grep,void lru_reparent_memcg,swap.h,ZMC_HAVE_LRU_REPARENT)
ccflags-y += $(call zmc-grep,int .\*entry_handler.|typedef int .\*fprobe_entry_cb.,fprobe.h,ZMC_HAVE_FPROBE_ENTRY_INT)
ccflags-y += $(call zmc-grep,unsigned long ret_ip,fprobe.h,ZMC_HAVE_FPROBE_RET_IP)
ccflags-y += $(call zmc-grep,ret_ip.[[:space:]]+struct ftrace_regs \*,fprobe.h,ZMC_HAVE_FPROBE_FTRACE_REGS)
ccflags-y += $(call zmc-grep,int generic_error_remove_folio,mm.h,ZMC_HAVE_ERROR_REMOVE_FOLIO)
ccflags-y += $(call zmc-grep,void __folio_batch_release,folio_batch.h,ZMC_HAVE_FOLIO_BATCH_H)
ccflags-y += $(call zmc-grep,void __folio_batch_release,pagevec.h,ZMC_HAVE_FOLIO_BATCH_RELEASE)
