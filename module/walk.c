// SPDX-License-Identifier: GPL-2.0
/*
 * A cursor over the memory controller's css tree, for readers that must see
 * every memcg exactly once although they let go of RCU along the way.
 *
 * The tree is the kernel's own: a css stays linked to its parent's list of
 * children, dying or not, until its last reference is gone (css_release),
 * and is freed only after an RCU grace period after that.  So under
 * rcu_read_lock() every css reached from the root can be read.  The walk is
 * css_next_descendant_pre()'s pre-order, whose sibling lists only ever grow
 * at their tail (children are appended in creation order).
 *
 * To drop RCU in the middle of a walk, zmc_cursor_park() pins the css the
 * cursor stands on with a reference.  A pinned css cannot be released, so
 * it stays on the tree, and css_next_descendant_pre() resumes from it as
 * from any css it has not left.  What a parked walk promises:
 *
 * - no css is visited twice: the walk only moves forward in pre-order,
 *   and the order of the css already on the tree never changes;
 * - every css that stays on the tree for the whole walk is visited: one
 *   removed meanwhile is the only kind that the walk may miss, and a css
 *   added meanwhile is visited if it lands after the cursor.
 *
 * A css whose refcount already reached zero cannot be pinned; parking on
 * one moves the cursor past it (it is being released, so it is not on the
 * tree for the whole walk).  A parked cursor keeps one memcg from being
 * freed until the walk moves on or ends: readers park only between two
 * read() calls, and the file's release drops the pin.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/memcontrol.h>
#include <linux/rcupdate.h>

#include "compat.h"
#include "zombiememcg.h"

/**
 * zmc_root_css() - the memory controller's root css
 *
 * On the default hierarchy or a v1 one, wherever the controller is mounted.
 * Caller holds rcu_read_lock(); the root css is never freed.
 *
 * Return: the root memcg's css.
 */
struct cgroup_subsys_state *zmc_root_css(void)
{
	return rcu_dereference(memory_cgrp_subsys.root->cgrp.subsys[memory_cgrp_id]);
}

/**
 * zmc_cursor_init() - a cursor before the first css
 * @c: the cursor.
 */
void zmc_cursor_init(struct zmc_cursor *c)
{
	c->root = NULL;
	c->pos = NULL;
	c->state = ZMC_CURSOR_BEFORE;
	c->pinned = false;
}

static void zmc_cursor_unpin(struct zmc_cursor *c)
{
	if (c->pinned) {
		css_put(c->pos);
		c->pinned = false;
	}
}

/* Move to @next, the css after @c->pos; caller holds rcu_read_lock(). */
static struct cgroup_subsys_state *
zmc_cursor_move(struct zmc_cursor *c, struct cgroup_subsys_state *next)
{
	/* After the walk has left it: RCU keeps it readable until then. */
	zmc_cursor_unpin(c);
	c->pos = next;
	c->state = next ? ZMC_CURSOR_AT : ZMC_CURSOR_END;
	return next;
}

/**
 * zmc_cursor_first() - move a cursor to the first css below the root
 * @c: the cursor, in any state; a pin it holds is dropped.
 *
 * Caller holds rcu_read_lock().
 *
 * Return: the css, or NULL if the root has no descendant.
 */
struct cgroup_subsys_state *zmc_cursor_first(struct zmc_cursor *c)
{
	if (mem_cgroup_disabled()) {
		c->root = NULL;
		return zmc_cursor_move(c, NULL);
	}
	c->root = zmc_root_css();
	return zmc_cursor_move(c, css_next_descendant_pre(c->root, c->root));
}

/**
 * zmc_cursor_next() - move a cursor on by one css
 * @c: the cursor; before the first css it moves to the first.
 *
 * Caller holds rcu_read_lock().
 *
 * Return: the css the cursor now stands on, or NULL past the last.
 */
struct cgroup_subsys_state *zmc_cursor_next(struct zmc_cursor *c)
{
	switch (c->state) {
	case ZMC_CURSOR_BEFORE:
		return zmc_cursor_first(c);
	case ZMC_CURSOR_AT:
		return zmc_cursor_move(c, css_next_descendant_pre(c->pos,
								  c->root));
	default:
		return NULL;
	}
}

/**
 * zmc_cursor_pos() - the css a cursor stands on
 * @c: the cursor.
 *
 * Return: the css, NULL before the first and past the last.
 */
struct cgroup_subsys_state *zmc_cursor_pos(const struct zmc_cursor *c)
{
	return c->state == ZMC_CURSOR_AT ? c->pos : NULL;
}

/**
 * zmc_cursor_park() - make a cursor survive rcu_read_unlock()
 * @c: the cursor.
 *
 * Pins the css the cursor stands on.  If its refcount already reached zero
 * (it is being released), the cursor moves on to the next css that can be
 * pinned.  Caller holds rcu_read_lock(), and may drop it on return; the
 * cursor is used again under a new rcu_read_lock().
 */
void zmc_cursor_park(struct zmc_cursor *c)
{
	while (c->state == ZMC_CURSOR_AT && !c->pinned) {
		if (css_tryget(c->pos)) {
			c->pinned = true;
			break;
		}
		zmc_cursor_move(c, css_next_descendant_pre(c->pos, c->root));
	}
}

/**
 * zmc_cursor_exit() - end a walk, dropping the cursor's pin
 * @c: the cursor; it is before the first css again.
 *
 * May be called with or without rcu_read_lock() held.
 */
void zmc_cursor_exit(struct zmc_cursor *c)
{
	zmc_cursor_unpin(c);
	zmc_cursor_init(c);
}
