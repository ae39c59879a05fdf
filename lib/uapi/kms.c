/*
 * lib/uapi/kms.c: the "kms" table, DRM mode setting: resources, CRTCs,
 * encoders, connectors, planes, properties and blobs, framebuffers, dumb
 * buffers, legacy mode setting, page flips, dirty rectangles, atomic
 * commits, cursors, gamma and leases.
 *
 * Object ids (CRTC, connector, plane, framebuffer, property, blob) are per
 * device; a replay on another machine must map them. Property values
 * (DS_UAPI_KMS_PROP_VALUE) are ids or plain numbers depending on the
 * property: FB_ID and CRTC_ID hold object ids, MODE_ID a blob id.
 */
#include <drm/drm.h>
#include <drm/drm_mode.h>

#include "uapi_internal.h"

/* --------------------------------------------------------- shared pieces */

DS_STRUCT(ds_modeinfo, drm_mode_modeinfo,
	DS_V(struct drm_mode_modeinfo, clock, INOUT),
	DS_V(struct drm_mode_modeinfo, hdisplay, INOUT),
	DS_V(struct drm_mode_modeinfo, hsync_start, INOUT),
	DS_V(struct drm_mode_modeinfo, hsync_end, INOUT),
	DS_V(struct drm_mode_modeinfo, htotal, INOUT),
	DS_V(struct drm_mode_modeinfo, hskew, INOUT),
	DS_V(struct drm_mode_modeinfo, vdisplay, INOUT),
	DS_V(struct drm_mode_modeinfo, vsync_start, INOUT),
	DS_V(struct drm_mode_modeinfo, vsync_end, INOUT),
	DS_V(struct drm_mode_modeinfo, vtotal, INOUT),
	DS_V(struct drm_mode_modeinfo, vscan, INOUT),
	DS_V(struct drm_mode_modeinfo, vrefresh, INOUT),
	DS_X(struct drm_mode_modeinfo, flags, INOUT),
	DS_X(struct drm_mode_modeinfo, type, INOUT),
	DS_CHARS(struct drm_mode_modeinfo, name, INOUT));

DS_STRUCT(ds_clip_rect, drm_clip_rect,
	DS_V(struct drm_clip_rect, x1, IN),
	DS_V(struct drm_clip_rect, y1, IN),
	DS_V(struct drm_clip_rect, x2, IN),
	DS_V(struct drm_clip_rect, y2, IN));

DS_STRUCT(ds_property_enum, drm_mode_property_enum,
	DS_V(struct drm_mode_property_enum, value, OUT),
	DS_CHARS(struct drm_mode_property_enum, name, OUT));

/* ------------------------------------------------------------- resources */

static const struct ds_uapi_array res_fbs =
	DS_ARRAY(struct drm_mode_card_res, count_fbs, OUT, KMS_FB, 4);
static const struct ds_uapi_array res_crtcs =
	DS_ARRAY(struct drm_mode_card_res, count_crtcs, OUT, KMS_CRTC, 4);
static const struct ds_uapi_array res_connectors =
	DS_ARRAY(struct drm_mode_card_res, count_connectors, OUT, KMS_CONNECTOR, 4);
static const struct ds_uapi_array res_encoders =
	DS_ARRAY(struct drm_mode_card_res, count_encoders, OUT, KMS_ENCODER, 4);

DS_STRUCT(ds_card_res, drm_mode_card_res,
	DS_PTR(struct drm_mode_card_res, fb_id_ptr, &res_fbs),
	DS_PTR(struct drm_mode_card_res, crtc_id_ptr, &res_crtcs),
	DS_PTR(struct drm_mode_card_res, connector_id_ptr, &res_connectors),
	DS_PTR(struct drm_mode_card_res, encoder_id_ptr, &res_encoders),
	DS_K(struct drm_mode_card_res, count_fbs, COUNT, INOUT),
	DS_K(struct drm_mode_card_res, count_crtcs, COUNT, INOUT),
	DS_K(struct drm_mode_card_res, count_connectors, COUNT, INOUT),
	DS_K(struct drm_mode_card_res, count_encoders, COUNT, INOUT),
	DS_V(struct drm_mode_card_res, min_width, OUT),
	DS_V(struct drm_mode_card_res, max_width, OUT),
	DS_V(struct drm_mode_card_res, min_height, OUT),
	DS_V(struct drm_mode_card_res, max_height, OUT));

static const struct ds_uapi_array plane_res_planes =
	DS_ARRAY(struct drm_mode_get_plane_res, count_planes, OUT, KMS_PLANE, 4);

DS_STRUCT(ds_plane_res, drm_mode_get_plane_res,
	DS_PTR(struct drm_mode_get_plane_res, plane_id_ptr, &plane_res_planes),
	DS_K(struct drm_mode_get_plane_res, count_planes, COUNT, INOUT));

/* ----------------------------------------------------------------- CRTCs */

/* GETCRTC ignores set_connectors_ptr and count_connectors. */
DS_STRUCT(ds_get_crtc, drm_mode_crtc,
	DS_V(struct drm_mode_crtc, set_connectors_ptr, IN),
	DS_V(struct drm_mode_crtc, count_connectors, IN),
	DS_K(struct drm_mode_crtc, crtc_id, KMS_CRTC, IN),
	DS_KF(struct drm_mode_crtc, fb_id, KMS_FB, OUT, DS_UAPI_F_OPTIONAL),
	DS_V(struct drm_mode_crtc, x, OUT),
	DS_V(struct drm_mode_crtc, y, OUT),
	DS_V(struct drm_mode_crtc, gamma_size, OUT),
	DS_V(struct drm_mode_crtc, mode_valid, OUT),
	DS_SUB(struct drm_mode_crtc, mode, OUT, &ds_modeinfo));

static const struct ds_uapi_array crtc_connectors =
	DS_ARRAY(struct drm_mode_crtc, count_connectors, IN, KMS_CONNECTOR, 4);

/* fb_id 0 disables the CRTC; fb_id -1 keeps the current framebuffer. */
DS_STRUCT(ds_set_crtc, drm_mode_crtc,
	DS_PTR(struct drm_mode_crtc, set_connectors_ptr, &crtc_connectors),
	DS_K(struct drm_mode_crtc, count_connectors, COUNT, IN),
	DS_K(struct drm_mode_crtc, crtc_id, KMS_CRTC, IN),
	DS_KF(struct drm_mode_crtc, fb_id, KMS_FB, IN, DS_UAPI_F_OPTIONAL),
	DS_V(struct drm_mode_crtc, x, IN),
	DS_V(struct drm_mode_crtc, y, IN),
	DS_V(struct drm_mode_crtc, gamma_size, IN),
	DS_V(struct drm_mode_crtc, mode_valid, IN),
	DS_SUB(struct drm_mode_crtc, mode, IN, &ds_modeinfo));

DS_STRUCT(ds_cursor, drm_mode_cursor,
	DS_X(struct drm_mode_cursor, flags, IN),
	DS_K(struct drm_mode_cursor, crtc_id, KMS_CRTC, IN),
	DS_V(struct drm_mode_cursor, x, IN),
	DS_V(struct drm_mode_cursor, y, IN),
	DS_V(struct drm_mode_cursor, width, IN),
	DS_V(struct drm_mode_cursor, height, IN),
	DS_KF(struct drm_mode_cursor, handle, GEM_HANDLE, IN, DS_UAPI_F_OPTIONAL));

DS_STRUCT(ds_cursor2, drm_mode_cursor2,
	DS_X(struct drm_mode_cursor2, flags, IN),
	DS_K(struct drm_mode_cursor2, crtc_id, KMS_CRTC, IN),
	DS_V(struct drm_mode_cursor2, x, IN),
	DS_V(struct drm_mode_cursor2, y, IN),
	DS_V(struct drm_mode_cursor2, width, IN),
	DS_V(struct drm_mode_cursor2, height, IN),
	DS_KF(struct drm_mode_cursor2, handle, GEM_HANDLE, IN, DS_UAPI_F_OPTIONAL),
	DS_V(struct drm_mode_cursor2, hot_x, IN),
	DS_V(struct drm_mode_cursor2, hot_y, IN));

static const struct ds_uapi_array lut_red_out =
	DS_ARRAY(struct drm_mode_crtc_lut, gamma_size, OUT, VALUE, 2);
static const struct ds_uapi_array lut_green_out =
	DS_ARRAY(struct drm_mode_crtc_lut, gamma_size, OUT, VALUE, 2);
static const struct ds_uapi_array lut_blue_out =
	DS_ARRAY(struct drm_mode_crtc_lut, gamma_size, OUT, VALUE, 2);
static const struct ds_uapi_array lut_red_in =
	DS_ARRAY(struct drm_mode_crtc_lut, gamma_size, IN, VALUE, 2);
static const struct ds_uapi_array lut_green_in =
	DS_ARRAY(struct drm_mode_crtc_lut, gamma_size, IN, VALUE, 2);
static const struct ds_uapi_array lut_blue_in =
	DS_ARRAY(struct drm_mode_crtc_lut, gamma_size, IN, VALUE, 2);

DS_STRUCT(ds_get_gamma, drm_mode_crtc_lut,
	DS_K(struct drm_mode_crtc_lut, crtc_id, KMS_CRTC, IN),
	DS_K(struct drm_mode_crtc_lut, gamma_size, COUNT, IN),
	DS_PTR(struct drm_mode_crtc_lut, red, &lut_red_out),
	DS_PTR(struct drm_mode_crtc_lut, green, &lut_green_out),
	DS_PTR(struct drm_mode_crtc_lut, blue, &lut_blue_out));

DS_STRUCT(ds_set_gamma, drm_mode_crtc_lut,
	DS_K(struct drm_mode_crtc_lut, crtc_id, KMS_CRTC, IN),
	DS_K(struct drm_mode_crtc_lut, gamma_size, COUNT, IN),
	DS_PTR(struct drm_mode_crtc_lut, red, &lut_red_in),
	DS_PTR(struct drm_mode_crtc_lut, green, &lut_green_in),
	DS_PTR(struct drm_mode_crtc_lut, blue, &lut_blue_in));

/* ---------------------------------------------------- encoders, connectors */

DS_STRUCT(ds_get_encoder, drm_mode_get_encoder,
	DS_K(struct drm_mode_get_encoder, encoder_id, KMS_ENCODER, IN),
	DS_V(struct drm_mode_get_encoder, encoder_type, OUT),
	DS_KF(struct drm_mode_get_encoder, crtc_id, KMS_CRTC, OUT, DS_UAPI_F_OPTIONAL),
	DS_X(struct drm_mode_get_encoder, possible_crtcs, OUT),
	DS_X(struct drm_mode_get_encoder, possible_clones, OUT));

static const struct ds_uapi_array conn_encoders =
	DS_ARRAY(struct drm_mode_get_connector, count_encoders, OUT, KMS_ENCODER, 4);
static const struct ds_uapi_array conn_modes =
	DS_ARRAY_OF(struct drm_mode_get_connector, count_modes, OUT,
		    struct drm_mode_modeinfo, &ds_modeinfo);
static const struct ds_uapi_array conn_props =
	DS_ARRAY(struct drm_mode_get_connector, count_props, OUT, KMS_PROPERTY, 4);
static const struct ds_uapi_array conn_prop_values =
	DS_ARRAY(struct drm_mode_get_connector, count_props, OUT, KMS_PROP_VALUE, 8);

DS_STRUCT(ds_get_connector, drm_mode_get_connector,
	DS_PTR(struct drm_mode_get_connector, encoders_ptr, &conn_encoders),
	DS_PTR(struct drm_mode_get_connector, modes_ptr, &conn_modes),
	DS_PTR(struct drm_mode_get_connector, props_ptr, &conn_props),
	DS_PTR(struct drm_mode_get_connector, prop_values_ptr, &conn_prop_values),
	DS_K(struct drm_mode_get_connector, count_modes, COUNT, INOUT),
	DS_K(struct drm_mode_get_connector, count_props, COUNT, INOUT),
	DS_K(struct drm_mode_get_connector, count_encoders, COUNT, INOUT),
	DS_KF(struct drm_mode_get_connector, encoder_id, KMS_ENCODER, OUT, DS_UAPI_F_OPTIONAL),
	DS_K(struct drm_mode_get_connector, connector_id, KMS_CONNECTOR, IN),
	DS_V(struct drm_mode_get_connector, connector_type, OUT),
	DS_V(struct drm_mode_get_connector, connector_type_id, OUT),
	DS_V(struct drm_mode_get_connector, connection, OUT),
	DS_V(struct drm_mode_get_connector, mm_width, OUT),
	DS_V(struct drm_mode_get_connector, mm_height, OUT),
	DS_V(struct drm_mode_get_connector, subpixel, OUT),
	DS_PAD(struct drm_mode_get_connector, pad));

DS_STRUCT(ds_mode_cmd, drm_mode_mode_cmd,
	DS_K(struct drm_mode_mode_cmd, connector_id, KMS_CONNECTOR, IN),
	DS_SUB(struct drm_mode_mode_cmd, mode, IN, &ds_modeinfo));

/* ------------------------------------------------------------ properties */

static const struct ds_uapi_array prop_values =
	DS_ARRAY(struct drm_mode_get_property, count_values, OUT, VALUE, 8);
static const struct ds_uapi_array prop_enums =
	DS_ARRAY_OF(struct drm_mode_get_property, count_enum_blobs, OUT,
		    struct drm_mode_property_enum, &ds_property_enum);

DS_STRUCT(ds_get_property, drm_mode_get_property,
	DS_PTR(struct drm_mode_get_property, values_ptr, &prop_values),
	DS_PTR(struct drm_mode_get_property, enum_blob_ptr, &prop_enums),
	DS_K(struct drm_mode_get_property, prop_id, KMS_PROPERTY, IN),
	DS_X(struct drm_mode_get_property, flags, OUT),
	DS_CHARS(struct drm_mode_get_property, name, OUT),
	DS_K(struct drm_mode_get_property, count_values, COUNT, INOUT),
	DS_K(struct drm_mode_get_property, count_enum_blobs, COUNT, INOUT));

DS_STRUCT(ds_connector_set_property, drm_mode_connector_set_property,
	DS_K(struct drm_mode_connector_set_property, value, KMS_PROP_VALUE, IN),
	DS_K(struct drm_mode_connector_set_property, prop_id, KMS_PROPERTY, IN),
	DS_K(struct drm_mode_connector_set_property, connector_id, KMS_CONNECTOR, IN));

static const struct ds_uapi_array objprops_props =
	DS_ARRAY(struct drm_mode_obj_get_properties, count_props, OUT, KMS_PROPERTY, 4);
static const struct ds_uapi_array objprops_values =
	DS_ARRAY(struct drm_mode_obj_get_properties, count_props, OUT, KMS_PROP_VALUE, 8);

DS_STRUCT(ds_obj_get_properties, drm_mode_obj_get_properties,
	DS_PTR(struct drm_mode_obj_get_properties, props_ptr, &objprops_props),
	DS_PTR(struct drm_mode_obj_get_properties, prop_values_ptr, &objprops_values),
	DS_K(struct drm_mode_obj_get_properties, count_props, COUNT, INOUT),
	DS_K(struct drm_mode_obj_get_properties, obj_id, KMS_OBJECT, IN),
	DS_X(struct drm_mode_obj_get_properties, obj_type, IN));

DS_STRUCT(ds_obj_set_property, drm_mode_obj_set_property,
	DS_K(struct drm_mode_obj_set_property, value, KMS_PROP_VALUE, IN),
	DS_K(struct drm_mode_obj_set_property, prop_id, KMS_PROPERTY, IN),
	DS_K(struct drm_mode_obj_set_property, obj_id, KMS_OBJECT, IN),
	DS_X(struct drm_mode_obj_set_property, obj_type, IN));

static const struct ds_uapi_array blob_data_out =
	DS_BYTES(struct drm_mode_get_blob, length, OUT, 0, NULL);

DS_STRUCT(ds_get_blob, drm_mode_get_blob,
	DS_K(struct drm_mode_get_blob, blob_id, KMS_BLOB, IN),
	DS_K(struct drm_mode_get_blob, length, SIZE, INOUT),
	DS_PTR(struct drm_mode_get_blob, data, &blob_data_out));

static const struct ds_uapi_array blob_data_in =
	DS_BYTES(struct drm_mode_create_blob, length, IN, 0, NULL);

DS_STRUCT(ds_create_blob, drm_mode_create_blob,
	DS_PTR(struct drm_mode_create_blob, data, &blob_data_in),
	DS_K(struct drm_mode_create_blob, length, SIZE, IN),
	DS_K(struct drm_mode_create_blob, blob_id, KMS_BLOB, OUT));

DS_STRUCT(ds_destroy_blob, drm_mode_destroy_blob,
	DS_KF(struct drm_mode_destroy_blob, blob_id, KMS_BLOB, IN, DS_UAPI_F_DESTROY));

/* ---------------------------------------------------------- framebuffers */

DS_STRUCT(ds_addfb, drm_mode_fb_cmd,
	DS_K(struct drm_mode_fb_cmd, fb_id, KMS_FB, OUT),
	DS_V(struct drm_mode_fb_cmd, width, IN),
	DS_V(struct drm_mode_fb_cmd, height, IN),
	DS_V(struct drm_mode_fb_cmd, pitch, IN),
	DS_V(struct drm_mode_fb_cmd, bpp, IN),
	DS_V(struct drm_mode_fb_cmd, depth, IN),
	DS_K(struct drm_mode_fb_cmd, handle, GEM_HANDLE, IN));

/* GETFB hands out a new GEM handle (to a privileged caller). */
DS_STRUCT(ds_getfb, drm_mode_fb_cmd,
	DS_K(struct drm_mode_fb_cmd, fb_id, KMS_FB, IN),
	DS_V(struct drm_mode_fb_cmd, width, OUT),
	DS_V(struct drm_mode_fb_cmd, height, OUT),
	DS_V(struct drm_mode_fb_cmd, pitch, OUT),
	DS_V(struct drm_mode_fb_cmd, bpp, OUT),
	DS_V(struct drm_mode_fb_cmd, depth, OUT),
	DS_KF(struct drm_mode_fb_cmd, handle, GEM_HANDLE, OUT, DS_UAPI_F_OPTIONAL));

DS_STRUCT(ds_addfb2, drm_mode_fb_cmd2,
	DS_K(struct drm_mode_fb_cmd2, fb_id, KMS_FB, OUT),
	DS_V(struct drm_mode_fb_cmd2, width, IN),
	DS_V(struct drm_mode_fb_cmd2, height, IN),
	DS_X(struct drm_mode_fb_cmd2, pixel_format, IN),
	DS_X(struct drm_mode_fb_cmd2, flags, IN),
	DS_INLINE(struct drm_mode_fb_cmd2, handles, GEM_HANDLE, IN),
	DS_INLINE(struct drm_mode_fb_cmd2, pitches, VALUE, IN),
	DS_INLINE(struct drm_mode_fb_cmd2, offsets, VALUE, IN),
	DS_INLINE(struct drm_mode_fb_cmd2, modifier, FLAGS, IN));

#ifdef DRM_IOCTL_MODE_GETFB2
DS_STRUCT(ds_getfb2, drm_mode_fb_cmd2,
	DS_K(struct drm_mode_fb_cmd2, fb_id, KMS_FB, IN),
	DS_V(struct drm_mode_fb_cmd2, width, OUT),
	DS_V(struct drm_mode_fb_cmd2, height, OUT),
	DS_X(struct drm_mode_fb_cmd2, pixel_format, OUT),
	DS_X(struct drm_mode_fb_cmd2, flags, OUT),
	DS_INLINE(struct drm_mode_fb_cmd2, handles, GEM_HANDLE, OUT),
	DS_INLINE(struct drm_mode_fb_cmd2, pitches, VALUE, OUT),
	DS_INLINE(struct drm_mode_fb_cmd2, offsets, VALUE, OUT),
	DS_INLINE(struct drm_mode_fb_cmd2, modifier, FLAGS, OUT));
#endif

DS_STRUCT_T(ds_rmfb, struct ds_rmfb_arg, "rmfb",
	DS_KF(struct ds_rmfb_arg, fb_id, KMS_FB, IN, DS_UAPI_F_DESTROY));

#ifdef DRM_IOCTL_MODE_CLOSEFB
DS_STRUCT(ds_closefb, drm_mode_closefb,
	DS_KF(struct drm_mode_closefb, fb_id, KMS_FB, IN, DS_UAPI_F_DESTROY),
	DS_PAD(struct drm_mode_closefb, pad));
#endif

static const struct ds_uapi_array dirty_clips =
	DS_ARRAY_OF(struct drm_mode_fb_dirty_cmd, num_clips, IN,
		    struct drm_clip_rect, &ds_clip_rect);

DS_STRUCT(ds_dirtyfb, drm_mode_fb_dirty_cmd,
	DS_K(struct drm_mode_fb_dirty_cmd, fb_id, KMS_FB, IN),
	DS_X(struct drm_mode_fb_dirty_cmd, flags, IN),
	DS_X(struct drm_mode_fb_dirty_cmd, color, IN),
	DS_K(struct drm_mode_fb_dirty_cmd, num_clips, COUNT, IN),
	DS_PTR(struct drm_mode_fb_dirty_cmd, clips_ptr, &dirty_clips));

/* With DRM_MODE_PAGE_FLIP_TARGET_*, @reserved is the target sequence. */
DS_STRUCT(ds_page_flip, drm_mode_crtc_page_flip,
	DS_K(struct drm_mode_crtc_page_flip, crtc_id, KMS_CRTC, IN),
	DS_K(struct drm_mode_crtc_page_flip, fb_id, KMS_FB, IN),
	DS_X(struct drm_mode_crtc_page_flip, flags, IN),
	DS_V(struct drm_mode_crtc_page_flip, reserved, IN),
	DS_K(struct drm_mode_crtc_page_flip, user_data, USER_DATA, IN));

/* ---------------------------------------------------------- dumb buffers */

DS_STRUCT(ds_create_dumb, drm_mode_create_dumb,
	DS_V(struct drm_mode_create_dumb, height, IN),
	DS_V(struct drm_mode_create_dumb, width, IN),
	DS_V(struct drm_mode_create_dumb, bpp, IN),
	DS_X(struct drm_mode_create_dumb, flags, IN),
	DS_K(struct drm_mode_create_dumb, handle, GEM_HANDLE, OUT),
	DS_V(struct drm_mode_create_dumb, pitch, OUT),
	DS_K(struct drm_mode_create_dumb, size, SIZE, OUT));

DS_STRUCT(ds_map_dumb, drm_mode_map_dumb,
	DS_K(struct drm_mode_map_dumb, handle, GEM_HANDLE, IN),
	DS_PAD(struct drm_mode_map_dumb, pad),
	DS_K(struct drm_mode_map_dumb, offset, MMAP_OFFSET, OUT));

DS_STRUCT(ds_destroy_dumb, drm_mode_destroy_dumb,
	DS_KF(struct drm_mode_destroy_dumb, handle, GEM_HANDLE, IN, DS_UAPI_F_DESTROY));

/* ---------------------------------------------------------------- planes */

static const struct ds_uapi_array plane_formats =
	DS_ARRAY(struct drm_mode_get_plane, count_format_types, OUT, FLAGS, 4);

DS_STRUCT(ds_get_plane, drm_mode_get_plane,
	DS_K(struct drm_mode_get_plane, plane_id, KMS_PLANE, IN),
	DS_KF(struct drm_mode_get_plane, crtc_id, KMS_CRTC, OUT, DS_UAPI_F_OPTIONAL),
	DS_KF(struct drm_mode_get_plane, fb_id, KMS_FB, OUT, DS_UAPI_F_OPTIONAL),
	DS_X(struct drm_mode_get_plane, possible_crtcs, OUT),
	DS_V(struct drm_mode_get_plane, gamma_size, OUT),
	DS_K(struct drm_mode_get_plane, count_format_types, COUNT, INOUT),
	DS_PTR(struct drm_mode_get_plane, format_type_ptr, &plane_formats));

DS_STRUCT(ds_set_plane, drm_mode_set_plane,
	DS_K(struct drm_mode_set_plane, plane_id, KMS_PLANE, IN),
	DS_KF(struct drm_mode_set_plane, crtc_id, KMS_CRTC, IN, DS_UAPI_F_OPTIONAL),
	DS_KF(struct drm_mode_set_plane, fb_id, KMS_FB, IN, DS_UAPI_F_OPTIONAL),
	DS_X(struct drm_mode_set_plane, flags, IN),
	DS_V(struct drm_mode_set_plane, crtc_x, IN),
	DS_V(struct drm_mode_set_plane, crtc_y, IN),
	DS_V(struct drm_mode_set_plane, crtc_w, IN),
	DS_V(struct drm_mode_set_plane, crtc_h, IN),
	DS_V(struct drm_mode_set_plane, src_x, IN),
	DS_V(struct drm_mode_set_plane, src_y, IN),
	DS_V(struct drm_mode_set_plane, src_h, IN),
	DS_V(struct drm_mode_set_plane, src_w, IN));

/* ---------------------------------------------------------------- atomic */

static const struct ds_uapi_array atomic_objs =
	DS_ARRAY(struct drm_mode_atomic, count_objs, IN, KMS_OBJECT, 4);
static const struct ds_uapi_array atomic_count_props =
	DS_ARRAY(struct drm_mode_atomic, count_objs, IN, COUNT, 4);
/* props and prop_values hold sum(count_props[0..count_objs)) elements. */
static const struct ds_uapi_array atomic_props = {
	.dir = DS_UAPI_IN,
	.count_mode = DS_UAPI_COUNT_SUM,
	.elem_kind = DS_UAPI_KMS_PROPERTY,
	.count = DS_REF(struct drm_mode_atomic, count_objs),
	.sum_ptr = DS_REF(struct drm_mode_atomic, count_props_ptr),
	.elem_size = 4,
};
static const struct ds_uapi_array atomic_prop_values = {
	.dir = DS_UAPI_IN,
	.count_mode = DS_UAPI_COUNT_SUM,
	.elem_kind = DS_UAPI_KMS_PROP_VALUE,
	.count = DS_REF(struct drm_mode_atomic, count_objs),
	.sum_ptr = DS_REF(struct drm_mode_atomic, count_props_ptr),
	.elem_size = 8,
};

DS_STRUCT(ds_atomic, drm_mode_atomic,
	DS_X(struct drm_mode_atomic, flags, IN),
	DS_K(struct drm_mode_atomic, count_objs, COUNT, IN),
	DS_PTR(struct drm_mode_atomic, objs_ptr, &atomic_objs),
	DS_PTR(struct drm_mode_atomic, count_props_ptr, &atomic_count_props),
	DS_PTR(struct drm_mode_atomic, props_ptr, &atomic_props),
	DS_PTR(struct drm_mode_atomic, prop_values_ptr, &atomic_prop_values),
	DS_PAD(struct drm_mode_atomic, reserved),
	DS_K(struct drm_mode_atomic, user_data, USER_DATA, IN));

/* ---------------------------------------------------------------- leases */

static const struct ds_uapi_array lease_objects_in =
	DS_ARRAY(struct drm_mode_create_lease, object_count, IN, KMS_OBJECT, 4);

DS_STRUCT(ds_create_lease, drm_mode_create_lease,
	DS_PTR(struct drm_mode_create_lease, object_ids, &lease_objects_in),
	DS_K(struct drm_mode_create_lease, object_count, COUNT, IN),
	DS_X(struct drm_mode_create_lease, flags, IN),
	DS_K(struct drm_mode_create_lease, lessee_id, KMS_LESSEE, OUT),
	DS_K(struct drm_mode_create_lease, fd, FD, OUT));

static const struct ds_uapi_array lessees_out =
	DS_ARRAY(struct drm_mode_list_lessees, count_lessees, OUT, KMS_LESSEE, 4);

DS_STRUCT(ds_list_lessees, drm_mode_list_lessees,
	DS_K(struct drm_mode_list_lessees, count_lessees, COUNT, INOUT),
	DS_PAD(struct drm_mode_list_lessees, pad),
	DS_PTR(struct drm_mode_list_lessees, lessees_ptr, &lessees_out));

static const struct ds_uapi_array lease_objects_out =
	DS_ARRAY(struct drm_mode_get_lease, count_objects, OUT, KMS_OBJECT, 4);

DS_STRUCT(ds_get_lease, drm_mode_get_lease,
	DS_K(struct drm_mode_get_lease, count_objects, COUNT, INOUT),
	DS_PAD(struct drm_mode_get_lease, pad),
	DS_PTR(struct drm_mode_get_lease, objects_ptr, &lease_objects_out));

DS_STRUCT(ds_revoke_lease, drm_mode_revoke_lease,
	DS_K(struct drm_mode_revoke_lease, lessee_id, KMS_LESSEE, IN));

/* ----------------------------------------------------------------- table */

#define K DS_UAPI_I_KMS_COMMIT
#define C DS_UAPI_I_CREATES
#define D DS_UAPI_I_DESTROYS

static const struct ds_uapi_ioctl kms_tab[256] = {
	DS_IOCTL(DRM_IOCTL_MODE_GETRESOURCES, &ds_card_res, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETCRTC, &ds_get_crtc, 0),
	DS_IOCTL(DRM_IOCTL_MODE_SETCRTC, &ds_set_crtc, K),
	DS_IOCTL(DRM_IOCTL_MODE_CURSOR, &ds_cursor, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETGAMMA, &ds_get_gamma, 0),
	DS_IOCTL(DRM_IOCTL_MODE_SETGAMMA, &ds_set_gamma, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETENCODER, &ds_get_encoder, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETCONNECTOR, &ds_get_connector, 0),
	DS_IOCTL(DRM_IOCTL_MODE_ATTACHMODE, &ds_mode_cmd, 0),
	DS_IOCTL(DRM_IOCTL_MODE_DETACHMODE, &ds_mode_cmd, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETPROPERTY, &ds_get_property, 0),
	DS_IOCTL(DRM_IOCTL_MODE_SETPROPERTY, &ds_connector_set_property, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETPROPBLOB, &ds_get_blob, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETFB, &ds_getfb, C),
	DS_IOCTL(DRM_IOCTL_MODE_ADDFB, &ds_addfb, C),
	DS_IOCTL(DRM_IOCTL_MODE_RMFB, &ds_rmfb, D),
	DS_IOCTL(DRM_IOCTL_MODE_PAGE_FLIP, &ds_page_flip, K),
	DS_IOCTL(DRM_IOCTL_MODE_DIRTYFB, &ds_dirtyfb, K),
	DS_IOCTL(DRM_IOCTL_MODE_CREATE_DUMB, &ds_create_dumb, C),
	DS_IOCTL(DRM_IOCTL_MODE_MAP_DUMB, &ds_map_dumb, 0),
	DS_IOCTL(DRM_IOCTL_MODE_DESTROY_DUMB, &ds_destroy_dumb, D),
	DS_IOCTL(DRM_IOCTL_MODE_GETPLANERESOURCES, &ds_plane_res, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GETPLANE, &ds_get_plane, 0),
	DS_IOCTL(DRM_IOCTL_MODE_SETPLANE, &ds_set_plane, K),
	DS_IOCTL(DRM_IOCTL_MODE_ADDFB2, &ds_addfb2, C),
	DS_IOCTL(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &ds_obj_get_properties, 0),
	DS_IOCTL(DRM_IOCTL_MODE_OBJ_SETPROPERTY, &ds_obj_set_property, 0),
	DS_IOCTL(DRM_IOCTL_MODE_CURSOR2, &ds_cursor2, 0),
	DS_IOCTL(DRM_IOCTL_MODE_ATOMIC, &ds_atomic, K),
	DS_IOCTL(DRM_IOCTL_MODE_CREATEPROPBLOB, &ds_create_blob, C),
	DS_IOCTL(DRM_IOCTL_MODE_DESTROYPROPBLOB, &ds_destroy_blob, D),
	DS_IOCTL(DRM_IOCTL_MODE_CREATE_LEASE, &ds_create_lease, C),
	DS_IOCTL(DRM_IOCTL_MODE_LIST_LESSEES, &ds_list_lessees, 0),
	DS_IOCTL(DRM_IOCTL_MODE_GET_LEASE, &ds_get_lease, 0),
	DS_IOCTL(DRM_IOCTL_MODE_REVOKE_LEASE, &ds_revoke_lease, D),
#ifdef DRM_IOCTL_MODE_GETFB2
	DS_IOCTL(DRM_IOCTL_MODE_GETFB2, &ds_getfb2, C),
#endif
#ifdef DRM_IOCTL_MODE_CLOSEFB
	DS_IOCTL(DRM_IOCTL_MODE_CLOSEFB, &ds_closefb, D),
#endif
};

const struct ds_uapi_driver ds_uapi_kms_driver = {
	.name = "kms",
	.first = 0,
	.n = DS_ARRAY_SIZE(kms_tab),
	.tab = kms_tab,
};
