// SPDX-License-Identifier: GPL-2.0
/*
 * The holders scan's page walk: every online page frame, for the user
 * pages charged to a zombie.  Before 7.x a charged folio holds its memcg
 * (folio->memcg_data points to it) until the folio is freed; from 7.x the
 * kernel reparents them at offline, and this walk does not run.
 *
 * A frame's memcg_data is read without a reference, as /proc/kpagecgroup
 * does (the memmap of an online section stays mapped), and compared with
 * the pinned zombies only.  A match is then taken (a speculative reference,
 * as page_idle does) and looked at more closely:
 * - page cache: locked if it can be at once, its inode held (igrab()) so
 *   that the file is named when the walk is over and sleeping is allowed;
 * - anonymous: the process mapping it, found through its anon_vma as rmap
 *   does (folio_lock_anon_vma_read()), with a trylock of the root's lock.
 * A folio whose detail cannot be had at once is counted all the same.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "holders.h"

/* Page frames between two looks at the time limit and breathers. */
#define ZMC_HOLDERS_PFN_BATCH	16384
/* VMAs of an anon_vma looked at for the process mapping a folio. */
#define ZMC_ANON_VMAS_MAX	64

/* The entry of @z for @inode; a new one holds @inode.  NULL if none. */
static struct zmc_hfile *zmc_hfile_get(struct zmc_hzombie *z, struct inode *inode)
{
	struct zmc_hfile *f;
	unsigned int i;

	for (i = 0; i < z->nfile; i++)
		if (z->files[i].inode == inode)
			return &z->files[i];
	if (z->nfile == ZMC_HOLDERS_FILES) {
		z->more_files = true;
		return NULL;
	}
	if (!igrab(inode))
		return NULL;
	f = &z->files[z->nfile++];
	f->inode = inode;
	f->dev = inode->i_sb->s_dev;
	f->ino = inode->i_ino;
	f->shmem = shmem_mapping(inode->i_mapping);
	strscpy(f->fstype, inode->i_sb->s_type->name, sizeof(f->fstype));
	return f;
}

/*
 * Page cache: its file, from the folio's mapping, stable under the folio's
 * lock (truncation takes it).  Not waited for: a busy folio stays unnamed.
 */
static void zmc_hpage_file(struct zmc_hzombie *z, struct folio *folio, u64 bytes)
{
	struct address_space *mapping;
	struct zmc_hfile *f = NULL;

	z->file += bytes;
	if (!z->files)
		z->files = kcalloc(ZMC_HOLDERS_FILES, sizeof(*z->files), GFP_KERNEL);
	if (z->files && folio_trylock(folio)) {
		mapping = READ_ONCE(folio->mapping);
		if (mapping && !((unsigned long)mapping & ZMC_MAPPING_FLAGS) &&
		    !folio_test_swapcache(folio) && mapping->host)
			f = zmc_hfile_get(z, mapping->host);
		folio_unlock(folio);
	}
	if (f)
		f->bytes += bytes;
	else
		z->file_rest += bytes;
}

/*
 * The process whose address space maps anonymous @folio (held), found as
 * rmap finds it: the anon_vma is SLAB_TYPESAFE_BY_RCU, and while the folio
 * is mapped and the root's lock is held, it is the folio's and stays; its
 * VMAs and their mm too.  False if that cannot be had at once.
 */
static bool zmc_anon_owner(struct folio *folio, struct zmc_hanon *o)
{
	struct anon_vma *anon_vma, *root;
	unsigned long mapping;
	unsigned int seen = 0;
	struct rb_node *rb;
	bool found = false;

	if (folio_test_ksm(folio))
		return false;
	rcu_read_lock();
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if ((mapping & ZMC_MAPPING_FLAGS) != ZMC_MAPPING_ANON || !folio_mapped(folio))
		goto out;
	anon_vma = (struct anon_vma *)(mapping - ZMC_MAPPING_ANON);
	root = READ_ONCE(anon_vma->root);
	if (!down_read_trylock(&root->rwsem))
		goto out;
	if (!folio_mapped(folio))
		goto unlock;
	for (rb = rb_first_cached(&anon_vma->rb_root); rb && seen < ZMC_ANON_VMAS_MAX;
	     rb = rb_next(rb), seen++) {
		struct anon_vma_chain *avc = rb_entry(rb, struct anon_vma_chain, rb);
		struct vm_area_struct *vma = avc->vma;
		struct task_struct *owner;

		if (folio->index < vma->vm_pgoff ||
		    folio->index >= vma->vm_pgoff + vma_pages(vma))
			continue;
		owner = rcu_dereference(vma->vm_mm->owner);
		if (!owner)
			continue;
		o->mm = vma->vm_mm;
		o->pid = task_tgid_nr(owner);
		get_task_comm(o->comm, owner);
		o->bytes = 0;
		found = true;
		break;
	}
unlock:
	up_read(&root->rwsem);
out:
	rcu_read_unlock();
	return found;
}

/* Anonymous pages: counted for the process mapping them, if found. */
static void zmc_hpage_anon(struct zmc_hzombie *z, struct folio *folio, u64 bytes)
{
	struct zmc_hanon o;
	unsigned int i;

	z->anon += bytes;
	if (!z->anons)
		z->anons = kcalloc(ZMC_HOLDERS_ANONS, sizeof(*z->anons), GFP_KERNEL);
	if (!z->anons || !zmc_anon_owner(folio, &o)) {
		z->anon_rest += bytes;
		return;
	}
	for (i = 0; i < z->nanon && z->anons[i].mm != o.mm; i++)
		;
	if (i == ZMC_HOLDERS_ANONS) {
		z->anon_rest += bytes;
		return;
	}
	if (i == z->nanon)
		z->anons[z->nanon++] = o;
	z->anons[i].bytes += bytes;
}

/* A head page charged to zombie @z (memcg_data @md when read). */
static void zmc_hscan_page(struct zmc_hscan *s, struct zmc_hzombie *z, struct page *page,
			   unsigned long md)
{
	struct folio *folio = page_folio(page);
	u64 bytes;

	if (!folio_try_get(folio)) {
		/* Frozen (split, migration) or being freed: counted as is. */
		bytes = PAGE_SIZE << min_t(unsigned int, compound_order(page),
					   ZMC_MAX_PAGE_ORDER);
		if (PageAnon(page)) {
			z->anon += bytes;
			z->anon_rest += bytes;
		} else {
			z->file += bytes;
			z->file_rest += bytes;
		}
		return;
	}
	/* Reused meanwhile: not this zombie's any more. */
	if (page_folio(page) == folio && READ_ONCE(folio->memcg_data) == md) {
		bytes = folio_size(folio);
		if (folio_test_anon(folio))
			zmc_hpage_anon(z, folio, bytes);
		else
			zmc_hpage_file(z, folio, bytes);
	}
	folio_put(folio);
}

/* Frames of the compound page headed by @page, else 1. */
static unsigned long zmc_page_frames(struct page *page)
{
	if (!PageHead(page))
		return 1;
	return 1UL << min_t(unsigned int, compound_order(page), ZMC_MAX_PAGE_ORDER);
}

/*
 * One page frame, online: the frames to go on by.  A free block is passed
 * over whole, its order read as compaction does (without the zone's lock,
 * so bounded and checked for alignment), a compound page too.
 */
static unsigned long zmc_hscan_frame(struct zmc_hscan *s, zmc_hpage_fn fn, int nid,
				     struct page *page, unsigned long pfn)
{
	struct zmc_hzombie *z;
	unsigned long md;

	if (PageTail(page) || page_to_nid(page) != nid)
		return 1;
	md = READ_ONCE(page->memcg_data);
	if (!md) {
		if (PageBuddy(page)) {
			unsigned long order = READ_ONCE(page->private);

			if (order <= ZMC_MAX_PAGE_ORDER && IS_ALIGNED(pfn, 1UL << order))
				return 1UL << order;
		}
		return 1;
	}
	/* Not kmem or slab, and maybe a zombie's: looked up. */
	if (!(md & (__NR_MEMCG_DATA_FLAGS - 1)) && zmc_hscan_maybe(s, md)) {
		z = zmc_hscan_find(s, (const void *)md);
		if (z)
			fn(s, z, page, md);
	}
	return zmc_page_frames(page);
}

/**
 * zmc_hscan_walk_pages() - every user page charged to the scan's zombies
 * @s: the scan, its zombies pinned.
 * @fn: called for each head page charged to one of them; may sleep.
 *
 * Every online node's page frames once.  Whether frames are online is
 * asked once per subsection (the unit of memory hotplug, ZONE_DEVICE
 * included), the time limit looked at and a breather taken every
 * ZMC_HOLDERS_PFN_BATCH frames.  Nothing from 7.x.  Sleeps.
 */
void zmc_hscan_walk_pages(struct zmc_hscan *s, zmc_hpage_fn fn)
{
	int nid;

	if (ZMC_LRU_REPARENTED || !s->n)
		return;
	s->pages_scanned = true;
	for_each_online_node(nid) {
		unsigned long start = node_start_pfn(nid), end = node_end_pfn(nid);
		unsigned long pfn = start, breather = start + ZMC_HOLDERS_PFN_BATCH;

		while (pfn < end) {
			unsigned long next = min(ALIGN(pfn + 1, PAGES_PER_SUBSECTION), end);

			if (pfn >= breather) {
				if (time_after(jiffies, s->deadline)) {
					s->nr_pfns += pfn - start;
					s->stopped = pfn;
					return;
				}
				cond_resched();
				breather = pfn + ZMC_HOLDERS_PFN_BATCH;
			}
			if (!pfn_to_online_page(pfn)) {
				pfn = next;
				continue;
			}
			while (pfn < next)
				pfn += zmc_hscan_frame(s, fn, nid, pfn_to_page(pfn), pfn);
		}
		s->nr_pfns += end - start;
	}
}

/**
 * zmc_hscan_pages() - find the user pages charged to the scan's zombies
 * @s: the scan, its zombies pinned.
 *
 * Page cache by file, anonymous pages by the process mapping them.  Sleeps.
 */
void zmc_hscan_pages(struct zmc_hscan *s)
{
	zmc_hscan_walk_pages(s, zmc_hscan_page);
}

/**
 * zmc_hscan_name_files() - name the files found, and let their inodes go
 * @s: the scan, after zmc_hscan_pages().
 *
 * A file is named by its path within its file system (its mount is not
 * known: the reader finds it from the device).  Sleeps.
 */
void zmc_hscan_name_files(struct zmc_hscan *s)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct zmc_hzombie *z = &s->z[i];
		unsigned int j;

		for (j = 0; j < z->nfile; j++) {
			struct zmc_hfile *f = &z->files[j];
			struct dentry *dentry;
			char *p;

			if (!f->inode)
				continue;
			dentry = d_find_alias(f->inode);
			if (!dentry)
				dentry = d_find_any_alias(f->inode);
			if (dentry && buf) {
				p = dentry_path_raw(dentry, buf, PATH_MAX);
				if (!IS_ERR(p))
					f->path = kstrdup(p, GFP_KERNEL);
			}
			dput(dentry);
			f->deleted = !READ_ONCE(f->inode->i_nlink);
			iput(f->inode);
			f->inode = NULL;
		}
		cond_resched();
	}
	kfree(buf);
}

/**
 * zmc_hscan_pages_free() - free what the page walk kept of a zombie
 * @z: the zombie, its files named.
 */
void zmc_hscan_pages_free(struct zmc_hzombie *z)
{
	unsigned int j;

	for (j = 0; j < z->nfile; j++) {
		if (z->files[j].inode)
			iput(z->files[j].inode);
		kfree(z->files[j].path);
	}
	kfree(z->files);
	kfree(z->anons);
}
