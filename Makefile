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
#   make fmt / fmtcheck       rustfmt the tree / check it
#   make bootstrap            install the toolchain (make check does it too)

# Our modules' Kconfig options, set here because an out-of-tree build has no
# Kconfig of its own. In a kernel tree they come from our Kconfig entries.
OUR_CONFIGS := CONFIG_VIDEO_RS_H264_KUNIT_TEST=m CONFIG_IIO_NPCM_ADC_RS=m \
	CONFIG_VIDEO_RS_SLENC_KUNIT_TEST=m CONFIG_IIO_RS_LIFETIME_TEST=m
# The V4L2/media drivers, built where the kernel has what they depend on
# (the sub-device API, I2C, runtime PM, the common clock framework and
# videobuf2's DMA-contiguous and vmalloc allocators, mem2mem); the arm test
# kernel has no media.
MEDIA_CONFIGS := CONFIG_VIDEO_IMX219_RS=m CONFIG_VIDEO_BCM2835_UNICAM_RS=m \
	CONFIG_VIDEO_SLENC_RS=m
MEDIA_DEPS := CONFIG_VIDEO_V4L2_SUBDEV_API=y CONFIG_V4L2_FWNODE=[ym] CONFIG_I2C=[ym] CONFIG_PM=y \
	CONFIG_COMMON_CLK=y CONFIG_VIDEOBUF2_DMA_CONTIG=[ym] CONFIG_V4L2_MEM2MEM_DEV=[ym] \
	CONFIG_VIDEOBUF2_VMALLOC=[ym]
media_configs = $$(for d in $(MEDIA_DEPS); do grep -qsx "$$d" "$$kdir/.config" || exit 0; done; \
	echo $(MEDIA_CONFIGS))

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
	$(if $(MO),MO=$(MO)) $(TOOLCHAIN) $(OUR_CONFIGS) $(media_configs) \
	$(if $(CLIPPY),CLIPPY=1)

.PHONY: all modules clean bootstrap demo check fmt fmtcheck rustdoc
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

fmt fmtcheck:
	@scripts/rustfmt.sh $(if $(filter fmtcheck,$@),--check)
