# SPDX-License-Identifier: GPL-2.0
#
# Entry points. See README.md.
#
#   make                      build every module against our x86_64 test kernel,
#                             into build/x86_64/
#   make ARCH=arm             ... against our arm (NPCM750) test kernel, into
#                             build/arm/
#   make KDIR=/path LLVM=1 [ARCH=arm] [MO=/outdir]
#                             ... against your own configured 7.2 tree with
#                             Rust, beside the sources (or into MO)
#   make CLIPPY=1             the same, with clippy
#   make demo                 build what is needed, boot QEMU, show the drivers
#   make check                run every test (KUnit, guest scripts, arm boot)
#   make check KASAN=1        ... and the x86_64 guest tests on the KASAN kernel
#   make graft KDIR=/path [UNDO=1]
#                             graft our code into a Linux 7.2 source tree
#                             (scripts/graft.sh; UNDO=1 takes it out again)
#   make fmt / fmtcheck       rustfmt the tree / check it
#   make bootstrap            install the toolchain (make check does it too)

SHELL := /bin/bash
ARCH ?= x86_64
export ARCH

ifeq ($(KDIR),)
# Our own test kernels, built and cached by scripts/build-kernel.sh.
FLAVOUR ?= $(ARCH)
TOOLCHAIN = LLVM=-19 RUST_LIB_SRC=$$(. scripts/lib.sh && rust_lib_src) BINDGEN=bindgen
KDIR_CMD = scripts/build-kernel.sh $(FLAVOUR)
# Objects and modules go to build/$(FLAVOUR)/, so that x86_64 and arm
# builds from one checkout do not rebuild each other's objects.
MO ?= $(CURDIR)/build/$(FLAVOUR)
else
TOOLCHAIN =
KDIR_CMD = scripts/check-kdir.sh $(KDIR)
endif

KBUILD = $(if $(MO),mkdir -p $(MO) && )$(MAKE) -C "$$kdir" M=$(CURDIR) \
	$(if $(MO),MO=$(MO)) $(TOOLCHAIN) \
	$(if $(CLIPPY),CLIPPY=1)

.PHONY: all modules clean bootstrap demo check fmt fmtcheck rustdoc graft
all: modules

modules:
	@. scripts/lib.sh && kdir=$$($(KDIR_CMD)) && $(KBUILD) modules

clean:
	@. scripts/lib.sh && kdir=$$($(KDIR_CMD)) && $(KBUILD) clean
	@rm -f rust/bindings/*_generated.rs rust/exports_generated.h

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@scripts/demo.sh

check: bootstrap
	@KASAN=$(KASAN) scripts/check.sh

graft:
	@[ -n "$(KDIR)" ] || { echo "usage: make graft KDIR=/path/to/linux-7.2 [UNDO=1]" >&2; exit 2; }
	@scripts/graft.sh $(if $(UNDO),--undo) "$(KDIR)"

fmt fmtcheck:
	@scripts/rustfmt.sh $(if $(filter fmtcheck,$@),--check)
