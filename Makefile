# SPDX-License-Identifier: GPL-2.0
#
# zombiememcg: out-of-tree module, reader tool and tests.
#
#   make                 module (against KDIR) and tool
#   make KDIR=/path      module against another kernel's build tree
#   make demo            a QEMU VM that makes real zombies and shows them
#   make check           every test: host tests, then VM selftests per kernel
#   make install         module (modules_install + depmod), tool, man page
#   make dkms-install    the sources DKMS builds from, to /usr/src/zombiememcg-VERSION
#   make deb             Debian packages (debhelper, debian/) in build/deb, lintian
#   make uninstall       undo both
#   make style           checkpatch --strict over module/ and tools/ sources
#   make clean
# install, dkms-install, uninstall honour DESTDIR (staging), PREFIX
# (/usr/local), SBINDIR, MANDIR, INSTALL_MOD_PATH (default DESTDIR), DEPMOD.

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
INSTALL_MOD_PATH ?= $(DESTDIR)
DEPMOD ?= depmod
# The release modules are installed for: the one in the headers' vermagic
# (Debian's 6.1 headers say 6.1.N in kernel.release, but 6.1.0-N-amd64 here).
KRELEASE ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
# Exactly what DKMS builds from (dkms.conf: make -C KDIR M=... modules): the
# Kbuild files with the compat.mk they include and C sources under module/,
# none of kbuild's outputs.
DKMS_DIR = $(DESTDIR)/usr/src/zombiememcg-$(VERSION)
DKMS_FILES = dkms.conf Kbuild $(sort $(shell find module -type f \( -name Kbuild -o -name '*.mk' -o -name '*.[ch]' \) ! -name '*.mod.c'))

all: module tool

module:
	@if [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "zombiememcg: no kernel build tree at KDIR=$(KDIR);" \
		     "install the headers of the running kernel" \
		     "(apt-get install linux-headers-$$(uname -r)) or pass KDIR=" >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(PWD) modules

tool:
	$(MAKE) -C tools

selftests:
	$(MAKE) -C selftests

check:
	@vm/check.sh

demo:
	@vm/demo.sh

# Not part of check: the module's cost beside a BPF peer, in one VM boot;
# report in results/bench-*/ (bench/bench.sh: ZMC_KERNEL, ZMC_BENCH_QUICK=1).
bench:
	@bench/bench.sh

.PHONY: bench

install: install-module install-tool

install-module: module
	@[ -n "$(KRELEASE)" ] || { echo "zombiememcg: no $(KDIR)/include/generated/utsrelease.h: set KDIR= or KRELEASE=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) KERNELRELEASE=$(KRELEASE) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KRELEASE)

install-tool: tool
	install -D -m 0755 tools/zombiememcgstat $(DESTDIR)$(SBINDIR)/zombiememcgstat
	install -D -m 0644 tools/zombiememcgstat.8 $(DESTDIR)$(MANDIR)/man8/zombiememcgstat.8

dkms-install:
	@[ -n "$(VERSION)" ] || { echo "zombiememcg: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	rm -rf $(DKMS_DIR)
	for f in $(DKMS_FILES); do install -D -m 0644 $$f $(DKMS_DIR)/$$f || exit 1; done

# Modules installed by `make install` only (in .../module/); DKMS's own copy
# (updates/dkms/) is DKMS's: `dkms remove zombiememcg/VERSION --all` first.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /var/lib/dkms/zombiememcg/$(VERSION) ]; then \
		echo "zombiememcg: registered with DKMS: run 'dkms remove zombiememcg/$(VERSION) --all' first" >&2; \
		exit 1; \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/zombiememcgstat $(DESTDIR)$(MANDIR)/man8/zombiememcgstat.8
	rm -rf $(DKMS_DIR)
	@if [ -n "$(KRELEASE)" ] && [ -d $(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE) ]; then \
		set -x; \
		rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE)/*/module/zombiememcg.ko*; \
		rmdir $(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE)/*/module 2>/dev/null || :; \
		$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KRELEASE); \
	fi

style:
	@scripts/checkpatch.sh

# zombiememcg-dkms and zombiememcgstat .debs from a copy of the tree, then
# lintian on them (scripts/deb.sh; DEB_OUT= another folder).
deb:
	@scripts/deb.sh $(DEB_OUT)

# The debug-kernel tier alone (KASAN, lockdep, kmemleak, KUnit, stress,
# failslab): vm/debug/README.md.  make check runs it too.
DEBUG_SERIES ?= 6.12 7.2

check-debug:
	@rc=0; for s in $(DEBUG_SERIES); do vm/debug/check.sh --totals $$s || rc=1; done; exit $$rc

clean:
	@if [ -e "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all module tool selftests check demo clean
.PHONY: install install-module install-tool dkms-install uninstall style check-debug deb
