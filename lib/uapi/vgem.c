/*
 * lib/uapi/vgem.c: the "vgem" table (drm/vgem_drm.h): the virtual GEM
 * driver's two fence ioctls. vgem is what the test VM offers for real DRM
 * core traffic (GEM, PRIME, syncobj) without a GPU.
 */
#include <drm/drm.h>

#include "uapi_internal.h"

#ifdef DRMSCOPE_HAVE_VGEM_DRM_H
#include <drm/vgem_drm.h>

DS_STRUCT(ds_fence_attach, drm_vgem_fence_attach,
	DS_K(struct drm_vgem_fence_attach, handle, GEM_HANDLE, IN),
	DS_X(struct drm_vgem_fence_attach, flags, IN),
	DS_V(struct drm_vgem_fence_attach, out_fence, OUT),
	DS_PAD(struct drm_vgem_fence_attach, pad));

DS_STRUCT(ds_fence_signal, drm_vgem_fence_signal,
	DS_V(struct drm_vgem_fence_signal, fence, IN),
	DS_X(struct drm_vgem_fence_signal, flags, IN));

static const struct ds_uapi_ioctl vgem_tab[] = {
	DS_DRV_IOCTL(DRM_IOCTL_VGEM_FENCE_ATTACH, &ds_fence_attach, 0),
	DS_DRV_IOCTL(DRM_IOCTL_VGEM_FENCE_SIGNAL, &ds_fence_signal, 0),
};

const struct ds_uapi_driver ds_uapi_vgem_driver = {
	.name = "vgem",
	.first = DS_UAPI_DRIVER_FIRST,
	.n = DS_ARRAY_SIZE(vgem_tab),
	.tab = vgem_tab,
};
#else
const struct ds_uapi_driver ds_uapi_vgem_driver = {
	.name = "vgem",
};
#endif
