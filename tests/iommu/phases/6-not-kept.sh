# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 6: a kernel told the wrong handoff address gets nothing kept.
# The old kernel refused to keep translation for a next kernel that
# would not find it and stopped the device's DMA (bus mastering off), as
# it did before this series; this kernel finds no kept translation.
# shellcheck shell=bash

read -r e1 _ < <(get edu1)
old_kernel_kept_nothing "not loaded by kexec_file_load with intel_iommu_handoff=.*translation not kept" \
	"a next kernel told the wrong address"
found_nothing_kept
load_iommu_stack
dma_stopped "$e1"
no_splat
pass
