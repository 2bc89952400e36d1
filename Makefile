# SPDX-License-Identifier: GPL-2.0
#
# zombiememcg: out-of-tree module, reader tool and tests.
#
#   make                 module (against KDIR) and tool
#   make KDIR=/path      module against another kernel's build tree
#   make demo            a QEMU VM that makes real zombies and shows them
#   make check           every test: host tests, then VM selftests per kernel
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

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

clean:
	@if [ -e "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all module tool selftests check demo clean
