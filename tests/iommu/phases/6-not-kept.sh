# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 6: a kernel told the wrong handoff address gets nothing kept.
# The old kernel refused to keep translation for a next kernel that
# would not find it and stopped the device's DMA (bus mastering off), as
# it did before this series; this kernel finds no kept translation.
# shellcheck shell=bash

read -r e1 _ < <(get edu1)
old_kernel_said "not loaded by kexec_file_load with intel_iommu_handoff=.*translation not kept" ||
	fail "the previous kernel kept translation for a next kernel told the wrong address"
old_kernel_said "translation not kept across kexec; stopping its DMA" ||
	fail "the previous kernel did not stop edu $e1's DMA"
if dmesg | grep -qE "adopted the translation|translation kept by the previous kernel"; then
	fail "this kernel found kept translation: $(dmesg | grep -E 'DMAR: .*kept' | tail -n 1)"
fi
load_iommu_stack
dax=$(ns_dev vm1) || exit 1
must_fail "edu DMA with bus mastering off" \
	"$EDU_DMA" --device "$e1" --iova "$X" --dax "$dax" --from 0x4000 --to 0x6000
case $MUST_OUT in *"bus mastering off"*) ;; *) fail "edu after an unkept kexec: '$MUST_OUT', expected bus mastering off" ;; esac
no_splat
pass
