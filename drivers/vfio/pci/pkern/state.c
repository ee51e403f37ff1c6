// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkern-vfio-pci migration data: which device this is, nothing more.
 *
 * The device goes on running across the kexec of a live update, so its
 * state needs no copy: it is the device.  What the VMM carries from one
 * kernel to the next only has to make sure that the next kernel resumes
 * the same device, at the same address, and only if its DMA translation
 * really was kept and adopted.  The data is read back from userspace
 * (and was written by another kernel), so every field is checked.
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "pkern.h"

#define PKVFIO_MAGIC	0x46564b50	/* "PKVF" */
#define PKVFIO_VERSION	1

/**
 * struct pkvfio_state - the migration data: the identity of the device
 * @magic: %PKVFIO_MAGIC
 * @version: %PKVFIO_VERSION
 * @segment: PCI segment (domain) of the device
 * @bus: its bus number
 * @devfn: its device and function number
 * @vendor: PCI vendor ID
 * @device: PCI device ID
 * @subsystem_vendor: PCI subsystem vendor ID
 * @subsystem_device: PCI subsystem ID
 * @class: PCI class code, 24 bits
 * @revision: PCI revision ID
 * @reserved: zero
 * @dsn: PCIe device serial number, 0 if the device has none
 * @crc: CRC-32 of the bytes before it
 *
 * All fields little-endian.
 */
struct pkvfio_state {
	__le32 magic;
	__le32 version;
	__le16 segment;
	u8 bus;
	u8 devfn;
	__le16 vendor;
	__le16 device;
	__le16 subsystem_vendor;
	__le16 subsystem_device;
	__le32 class;
	u8 revision;
	u8 reserved[7];
	__le64 dsn;
	__le32 crc;
} __packed;

/**
 * struct pkvfio_file - one migration data file
 * @filp: the file
 * @pk: its device
 * @lock: protects the members below
 * @data: what is read (save) or written (resume)
 * @pos: bytes read or written so far
 * @result: resume only: 0 once @data is complete and checked, else why
 *	not (-EAGAIN while incomplete)
 * @disabled: the migration state moved on; no more reads or writes
 */
struct pkvfio_file {
	struct file *filp;
	struct pkvfio_device *pk;
	struct mutex lock;	/* the members below */
	struct pkvfio_state data;
	size_t pos;
	int result;
	bool disabled;
};

size_t pkvfio_state_size(void)
{
	return sizeof(struct pkvfio_state);
}

static u32 pkvfio_crc(const struct pkvfio_state *s)
{
	return crc32_le(~0U, (const u8 *)s, offsetof(struct pkvfio_state, crc));
}

static void pkvfio_state_fill(struct pkvfio_state *s, struct pci_dev *pdev)
{
	memset(s, 0, sizeof(*s));
	s->magic = cpu_to_le32(PKVFIO_MAGIC);
	s->version = cpu_to_le32(PKVFIO_VERSION);
	s->segment = cpu_to_le16(pci_domain_nr(pdev->bus));
	s->bus = pdev->bus->number;
	s->devfn = pdev->devfn;
	s->vendor = cpu_to_le16(pdev->vendor);
	s->device = cpu_to_le16(pdev->device);
	s->subsystem_vendor = cpu_to_le16(pdev->subsystem_vendor);
	s->subsystem_device = cpu_to_le16(pdev->subsystem_device);
	s->class = cpu_to_le32(pdev->class);
	s->revision = pdev->revision;
	s->dsn = cpu_to_le64(pci_get_dsn(pdev));
	s->crc = cpu_to_le32(pkvfio_crc(s));
}

/* Return: 0 if @got may resume @pdev, else why not (and it is logged) */
static int pkvfio_state_check(const struct pkvfio_state *got,
			      struct pci_dev *pdev)
{
	struct pkvfio_state want;

	if (le32_to_cpu(got->magic) != PKVFIO_MAGIC ||
	    le32_to_cpu(got->version) != PKVFIO_VERSION ||
	    le32_to_cpu(got->crc) != pkvfio_crc(got)) {
		pci_err(pdev, "resume refused: the data is not a version %u pkern-vfio-pci state, or damaged\n",
			PKVFIO_VERSION);
		return -EINVAL;
	}
	pkvfio_state_fill(&want, pdev);
	if (memcmp(got, &want, offsetof(struct pkvfio_state, crc))) {
		pci_err(pdev, "resume refused: the data was saved for another device (%04x:%02x:%02x.%d, %04x:%04x)\n",
			le16_to_cpu(got->segment), got->bus,
			PCI_SLOT(got->devfn), PCI_FUNC(got->devfn),
			le16_to_cpu(got->vendor), le16_to_cpu(got->device));
		return -ENODEV;
	}
	/*
	 * The device ran on through the kexec only if its translation was
	 * kept and the domain of this VMM adopted it; otherwise its DMA was
	 * stopped or faulted, and the VM must be cold-restarted instead.
	 */
	if (!iommu_dma_kept(&pdev->dev)) {
		pci_err(pdev, "resume refused: the previous kernel's DMA translation of the device was not kept and adopted (see the DMAR lines of this boot); cold-restart the VM\n");
		return -ENOLINK;
	}
	return 0;
}

static ssize_t pkvfio_save_read(struct file *filp, char __user *buf,
				size_t len, loff_t *ppos)
{
	struct pkvfio_file *f = filp->private_data;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;
	mutex_lock(&f->lock);
	if (f->disabled) {
		ret = -ENODEV;
		goto out;
	}
	len = min(len, sizeof(f->data) - f->pos);
	if (copy_to_user(buf, (u8 *)&f->data + f->pos, len)) {
		ret = -EFAULT;
		goto out;
	}
	f->pos += len;
	ret = len;
out:
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t pkvfio_resume_write(struct file *filp, const char __user *buf,
				   size_t len, loff_t *ppos)
{
	struct pkvfio_file *f = filp->private_data;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;
	mutex_lock(&f->lock);
	if (f->disabled) {
		ret = -ENODEV;
		goto out;
	}
	if (len > sizeof(f->data) - f->pos) {
		pci_err(f->pk->core.pdev, "resume refused: more data than a pkern-vfio-pci state\n");
		f->result = -EINVAL;
		ret = -EINVAL;
		goto out;
	}
	if (copy_from_user((u8 *)&f->data + f->pos, buf, len)) {
		ret = -EFAULT;
		goto out;
	}
	f->pos += len;
	ret = len;
	if (f->pos == sizeof(f->data)) {
		f->result = pkvfio_state_check(&f->data, f->pk->core.pdev);
		if (f->result)
			ret = f->result;
	}
out:
	mutex_unlock(&f->lock);
	return ret;
}

static int pkvfio_file_release(struct inode *inode, struct file *filp)
{
	struct pkvfio_file *f = filp->private_data;

	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations pkvfio_save_fops = {
	.owner = THIS_MODULE,
	.read = pkvfio_save_read,
	.release = pkvfio_file_release,
};

static const struct file_operations pkvfio_resume_fops = {
	.owner = THIS_MODULE,
	.write = pkvfio_resume_write,
	.release = pkvfio_file_release,
};

static struct pkvfio_file *pkvfio_file_open(struct pkvfio_device *pk,
					    const struct file_operations *fops,
					    int flags)
{
	struct pkvfio_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->pk = pk;
	f->result = -EAGAIN;
	mutex_init(&f->lock);
	f->filp = anon_inode_getfile("pkern_vfio_pci_state", fops, f, flags);
	if (IS_ERR(f->filp)) {
		struct file *err = f->filp;

		mutex_destroy(&f->lock);
		kfree(f);
		return ERR_CAST(err);
	}
	stream_open(f->filp->f_inode, f->filp);
	return f;
}

/**
 * pkvfio_save_open() - the data file of the STOP_COPY state
 * @pk: the device
 *
 * Return: the file, holding the device's identity, or an ERR_PTR().
 */
struct pkvfio_file *pkvfio_save_open(struct pkvfio_device *pk)
{
	struct pkvfio_file *f = pkvfio_file_open(pk, &pkvfio_save_fops,
						 O_RDONLY);

	if (!IS_ERR(f))
		pkvfio_state_fill(&f->data, pk->core.pdev);
	return f;
}

/**
 * pkvfio_resume_open() - the data file of the RESUMING state
 * @pk: the device
 *
 * Return: an empty file for the VMM to write the saved data into, or an
 * ERR_PTR().
 */
struct pkvfio_file *pkvfio_resume_open(struct pkvfio_device *pk)
{
	return pkvfio_file_open(pk, &pkvfio_resume_fops, O_WRONLY);
}

/**
 * pkvfio_file_get() - a reference to hand to the VMM
 * @f: the file
 *
 * Return: @f's file with one more reference; the driver keeps its own
 * until pkvfio_file_close().
 */
struct file *pkvfio_file_get(struct pkvfio_file *f)
{
	return get_file(f->filp);
}

/**
 * pkvfio_resume_result() - may the written data resume the device
 * @f: a resume file
 *
 * Return: 0 if the VMM wrote a complete state that names this device and
 * the device's kept DMA translation was adopted; -EAGAIN if the data is
 * incomplete; else the error its check returned.
 */
int pkvfio_resume_result(struct pkvfio_file *f)
{
	int ret;

	mutex_lock(&f->lock);
	ret = f->result;
	mutex_unlock(&f->lock);
	return ret;
}

/**
 * pkvfio_file_close() - end a data transfer
 * @f: the file
 *
 * The VMM may keep its descriptor; reads and writes fail from now on.
 */
void pkvfio_file_close(struct pkvfio_file *f)
{
	mutex_lock(&f->lock);
	f->disabled = true;
	mutex_unlock(&f->lock);
	fput(f->filp);
}
