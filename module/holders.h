/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The holders scan (holders.c): what it collects, shared by its walks,
 * the file table walk (holders_sock.c) and the page walk (holders_page.c).
 */
#ifndef _ZOMBIEMEMCG_HOLDERS_H
#define _ZOMBIEMEMCG_HOLDERS_H

#include <linux/bitops.h>
#include <linux/hash.h>
#include <linux/sched.h>
#include <linux/types.h>

struct cgroup_subsys_state;
struct inode;
struct page;

/* Socket lines per zombie; the rest are counted on one line. */
#define ZMC_HOLDERS_SOCKS	16
/* File lines per zombie; the rest of its page cache on one line. */
#define ZMC_HOLDERS_FILES	16
/* Processes named for a zombie's anonymous pages; the rest on one line. */
#define ZMC_HOLDERS_ANONS	8
/* Bits of the filter of zombie memcg pointers the page walk asks first. */
#define ZMC_HFILTER_SHIFT	12
/* The longest file system type name kept. */
#define ZMC_FSTYPE_LEN		16

/**
 * struct zmc_hsock - one socket holding a zombie, and who holds it open
 * @sk: the socket, compared only after the walk that found it.
 * @pid: the process (thread group) with it in its file table; 0: none.
 * @fd: the descriptor there.
 * @comm: the process's command name.
 * @family: sk_family.
 * @type: sk_type.
 * @protocol: sk_protocol.
 * @state: sk_state.
 * @orphan: with @pid 0: closed by its process (else held by the kernel).
 * @ino: the socket's inode number, as in /proc/PID/fd.
 * @addr: local and remote address, printed at the scan.
 */
struct zmc_hsock {
	const void *sk;
	pid_t pid;
	unsigned int fd;
	char comm[TASK_COMM_LEN];
	u16 family;
	u16 type;
	u16 protocol;
	u8 state;
	bool orphan;
	unsigned long ino;
	char addr[112];
};

/**
 * struct zmc_hfile - one file whose page cache is charged to a zombie
 * @inode: its inode, held (igrab()) from the page walk to the naming.
 * @bytes: its pages charged to the zombie.
 * @dev: its file system's device.
 * @ino: its inode number.
 * @shmem: it is shmem or tmpfs, whose pages are freed only with the file.
 * @deleted: it has no name left (unlinked, still open or mapped).
 * @fstype: its file system's type.
 * @path: its path within its file system (kmalloc()ed), or NULL.
 */
struct zmc_hfile {
	struct inode *inode;
	u64 bytes;
	dev_t dev;
	unsigned long ino;
	bool shmem;
	bool deleted;
	char fstype[ZMC_FSTYPE_LEN];
	char *path;
};

/**
 * struct zmc_hanon - a process mapping anonymous pages charged to a zombie
 * @mm: its address space, compared only, never followed.
 * @pid: the process owning @mm.
 * @comm: its command name.
 * @bytes: the pages found mapped in @mm.
 */
struct zmc_hanon {
	const void *mm;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u64 bytes;
};

/**
 * struct zmc_hzombie - a zombie and what the scan found holding it
 * @css: the zombie, pinned for the scan only (NULL after it).
 * @cgid: its cgroup id, as in the listing.
 * @charged: its memory counter, at the scan.
 * @swap: its swap charge, at the scan.
 * @file: bytes of page cache charged to it that the page walk found.
 * @anon: bytes of anonymous pages charged to it.
 * @nsock: sockets in @socks.
 * @more_socks: sockets found past ZMC_HOLDERS_SOCKS.
 * @socks: the first sockets found.
 * @nfile: files in @files.
 * @more_files: files were found past ZMC_HOLDERS_FILES.
 * @file_rest: bytes of @file in no entry of @files.
 * @files: the first files found (NULL until one is).
 * @nanon: processes in @anons.
 * @anon_rest: bytes of @anon in no entry of @anons (owner not found).
 * @anons: the first processes found (NULL until one is).
 */
struct zmc_hzombie {
	struct cgroup_subsys_state *css;
	u64 cgid;
	u64 charged;
	u64 swap;
	u64 file;
	u64 anon;
	unsigned int nsock;
	unsigned int more_socks;
	struct zmc_hsock *socks;
	unsigned int nfile;
	bool more_files;
	u64 file_rest;
	struct zmc_hfile *files;
	unsigned int nanon;
	u64 anon_rest;
	struct zmc_hanon *anons;
};

/**
 * struct zmc_hscan - the result of one scan, printed by the seq_file
 * @z: the zombies, in the walk's order.
 * @n: entries of @z.
 * @memcgs: the zombies' memcg pointers, sorted, for the lookups.
 * @by_memcg: indices of @z in the order of @memcgs.
 * @filter: a bit per hash of each of @memcgs: most pages are not looked up.
 * @pool: the socket records, ZMC_HOLDERS_SOCKS for each zombie that has any.
 * @pool_used: records given out.
 * @pool_size: records in @pool.
 * @deadline: jiffies at which the scan stops.
 * @stopped: the time limit stopped the page walk at this pfn (0: it did not).
 * @pages_scanned: whether the page walk ran (it does not from 7.x).
 * @ms: the scan's duration.
 * @nr_pfns: page frames the page walk visited.
 * @nr_files: open files the file table walk visited.
 * @nr_procs: processes whose file table it walked.
 * @nr_tcp_buckets: TCP hash buckets the socket walk visited.
 * @nets_skipped: network namespaces with TCP tables of their own past
 *	ZMC_HOLDERS_NETS, not visited.
 * @cgid: pin only the zombie of this cgroup id, whatever its age (0: every
 *	zombie past older_than_secs).
 * @priv: the walk's user (reclaim.c).
 */
struct zmc_hscan {
	struct zmc_hzombie *z;
	size_t n;
	unsigned long *memcgs;
	u32 *by_memcg;
	DECLARE_BITMAP(filter, 1 << ZMC_HFILTER_SHIFT);
	struct zmc_hsock *pool;
	size_t pool_used;
	size_t pool_size;
	unsigned long deadline;
	unsigned long stopped;
	bool pages_scanned;
	unsigned int ms;
	unsigned long nr_pfns;
	unsigned long nr_files;
	unsigned long nr_procs;
	unsigned long nr_tcp_buckets;
	unsigned int nets_skipped;
	u64 cgid;
	void *priv;
};

/*
 * What the page walk does with each head page charged to a zombie: @md is
 * the page's memcg_data when read, the zombie's memcg pointer.
 */
typedef void (*zmc_hpage_fn)(struct zmc_hscan *s, struct zmc_hzombie *z,
			     struct page *page, unsigned long md);

struct zmc_hzombie *zmc_hscan_find(const struct zmc_hscan *s, const void *memcg);

/* Whether @memcg may be a zombie's (if not, it is not). */
static inline bool zmc_hscan_maybe(const struct zmc_hscan *s, unsigned long memcg)
{
	return test_bit(hash_long(memcg, ZMC_HFILTER_SHIFT), s->filter);
}

/* holders.c */
struct zmc_hscan *zmc_hscan_new(unsigned int ms, u64 cgid);
int zmc_hscan_pin(struct zmc_hscan *s);
void zmc_hscan_unpin(struct zmc_hscan *s);
void zmc_hscan_free(struct zmc_hscan *s);

/* holders_sock.c */
int zmc_hscan_sockets(struct zmc_hscan *s);

/* holders_page.c */
void zmc_hscan_walk_pages(struct zmc_hscan *s, zmc_hpage_fn fn);
void zmc_hscan_pages(struct zmc_hscan *s);
void zmc_hscan_name_files(struct zmc_hscan *s);
void zmc_hscan_pages_free(struct zmc_hzombie *z);

#endif /* _ZOMBIEMEMCG_HOLDERS_H */
