// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes of the kernel's private structs, from the kernel's own BTF.
 *
 * Part of what a memcg allocates is sized by structs that mm/memcontrol.c
 * keeps to itself (struct memcg_vmstats_percpu and others): no header gives
 * their size, and it changes with the kernel's version and configuration.
 * A kernel built with CONFIG_DEBUG_INFO_BTF describes its types in
 * /sys/kernel/btf/vmlinux; this file reads that once, at load, and looks
 * structs up by name.  Nothing here runs after the module's init.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/btf.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "zombiememcg.h"

#define ZMC_BTF_PATH	"/sys/kernel/btf/vmlinux"
#define ZMC_BTF_MAX	(64 << 20)
/*
 * The header up to the string section: what every BTF has.  Newer headers
 * grow (7.x adds a layout section), and a blob says its header's length.
 */
#define ZMC_BTF_HDR_MIN	offsetofend(struct btf_header, str_len)

/* Bytes that follow a struct btf_type of this kind; -1 if unknown. */
static long zmc_btf_extra(const struct btf_type *t)
{
	u32 vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		return sizeof(u32);
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

/**
 * zmc_btf_struct_sizes() - look structs up by name in a BTF blob
 * @data: the blob: a struct btf_header, then its type and string sections.
 * @len: bytes of @data.
 * @names: the structs' names.
 * @sizes: set to each struct's size where it is found, left alone elsewhere.
 * @n: entries in @names and @sizes.
 *
 * Every offset and length is checked against @len before it is followed,
 * so a truncated or foreign blob is refused, never overrun.  A kind this
 * code does not know refuses the blob too: its length is unknown.
 *
 * Return: how many of the structs were found, or -EINVAL if the blob is
 * malformed.
 */
int zmc_btf_struct_sizes(const void *data, size_t len,
			 const char *const *names, u32 *sizes, unsigned int n)
{
	const struct btf_header *hdr = data;
	const char *types, *strs;
	unsigned int found = 0, i;
	u32 off = 0;

	if (len < ZMC_BTF_HDR_MIN || hdr->magic != BTF_MAGIC ||
	    hdr->version != BTF_VERSION || hdr->hdr_len < ZMC_BTF_HDR_MIN ||
	    hdr->hdr_len > len)
		return -EINVAL;
	len -= hdr->hdr_len;
	if ((u64)hdr->type_off + hdr->type_len > len ||
	    (u64)hdr->str_off + hdr->str_len > len || !hdr->str_len)
		return -EINVAL;
	types = (const char *)data + hdr->hdr_len + hdr->type_off;
	strs = (const char *)data + hdr->hdr_len + hdr->str_off;
	if (strs[hdr->str_len - 1])
		return -EINVAL;

	while (off < hdr->type_len && found < n) {
		const struct btf_type *t = (const void *)(types + off);
		long extra;

		if (hdr->type_len - off < sizeof(*t))
			return -EINVAL;
		extra = zmc_btf_extra(t);
		if (extra < 0 || hdr->type_len - off - sizeof(*t) < extra)
			return -EINVAL;
		off += sizeof(*t) + extra;
		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT)
			continue;
		if (t->name_off >= hdr->str_len)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			if (!strcmp(strs + t->name_off, names[i])) {
				if (!sizes[i])
					found++;
				sizes[i] = t->size;
			}
		}
	}
	return found;
}

/**
 * zmc_btf_read_sizes() - sizes of structs from the running kernel's BTF
 * @names: the structs' names.
 * @sizes: zeroed, then set where found.
 * @n: entries in @names and @sizes.
 *
 * Process context (it reads a file): the module's init only.
 *
 * Return: how many were found, or a negative errno if the kernel has no
 * BTF (no CONFIG_DEBUG_INFO_BTF) or it cannot be read.
 */
int zmc_btf_read_sizes(const char *const *names, u32 *sizes, unsigned int n)
{
	struct file *f;
	loff_t size, pos = 0;
	ssize_t got;
	void *buf;
	int ret;

	memset(sizes, 0, n * sizeof(*sizes));
	f = filp_open(ZMC_BTF_PATH, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size <= 0 || size > ZMC_BTF_MAX) {
		ret = -EFBIG;
		goto out_close;
	}
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	while (pos < size) {
		got = kernel_read(f, buf + pos, size - pos, &pos);
		if (got <= 0)
			break;
	}
	ret = pos == size ? zmc_btf_struct_sizes(buf, size, names, sizes, n) : -EIO;
	kvfree(buf);
out_close:
	filp_close(f, NULL);
	return ret;
}
