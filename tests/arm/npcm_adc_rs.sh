# SPDX-License-Identifier: GPL-2.0
#
# Guest test: the Rust driver npcm_adc_rs against QEMU's NPCM7xx ADC model,
# with exactly the checks of npcm_adc_c.sh (the C driver's), so that both
# drivers are held to the same expectations in the same boot. Needs
# kernel_ext.ko and npcm_adc_rs.ko in the initramfs (check-arm.sh FILE.ko).

ADC_DRIVER=npcm_adc_rs
ADC_MODULE=npcm_adc_rs
for t in /tests/*-npcm_adc_c.sh; do
	[ -e "$t" ] && . "$t"
done
