/*
 * lib/uapi/format.c: decode argument bytes to key=value text or JSON.
 *
 * The bytes may be a truncated or hostile capture: a field is printed only
 * if it lies entirely inside the bytes given, strings stop at the end of
 * their inline array, and the output is bounded by the caller's buffer
 * (with snprintf's "length needed" result).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uapi_internal.h"

#define MAX_NESTING 8

struct sb {
	char *buf;
	size_t size;
	size_t len;		/* length needed so far (may exceed size) */
};

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->len < b->size) {
		size_t room = b->size - b->len - 1;

		memcpy(b->buf + b->len, s, n < room ? n : room);
	}
	b->len += n;
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sb *b, char c)
{
	sb_putn(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_putn(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void sb_finish(struct sb *b)
{
	if (!b->size)
		return;
	b->buf[b->len < b->size ? b->len : b->size - 1] = '\0';
}

/* Kinds printed in hex (as "0x..." strings in JSON). */
static bool kind_is_hex(unsigned kind)
{
	switch (kind) {
	case DS_UAPI_FLAGS:
	case DS_UAPI_GPU_VA:
	case DS_UAPI_MMAP_OFFSET:
	case DS_UAPI_USER_DATA:
	case DS_UAPI_PTR:
		return true;
	default:
		return false;
	}
}

static void put_int(struct sb *b, uint64_t v, unsigned kind, bool is_signed,
		    enum ds_uapi_format fmt)
{
	if (kind_is_hex(kind)) {
		if (fmt == DS_UAPI_FMT_JSON)
			sb_printf(b, "\"0x%" PRIx64 "\"", v);
		else
			sb_printf(b, "0x%" PRIx64, v);
	} else if (is_signed) {
		sb_printf(b, "%" PRId64, (int64_t)v);
	} else {
		sb_printf(b, "%" PRIu64, v);
	}
}

/* A string of at most @n bytes, stopping at a NUL. */
static void put_chars(struct sb *b, const uint8_t *p, size_t n,
		      enum ds_uapi_format fmt)
{
	size_t i;

	sb_putc(b, '"');
	for (i = 0; i < n && p[i]; i++) {
		uint8_t c = p[i];

		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, (char)c);
		} else if (c >= 0x20 && c < 0x7f) {
			sb_putc(b, (char)c);
		} else if (fmt == DS_UAPI_FMT_JSON) {
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_printf(b, "\\x%02x", c);
		}
	}
	sb_putc(b, '"');
}

static void put_hex_bytes(struct sb *b, const uint8_t *p, size_t n,
			  enum ds_uapi_format fmt)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (fmt == DS_UAPI_FMT_JSON)
		sb_putc(b, '"');
	for (i = 0; i < n; i++) {
		sb_putc(b, digits[p[i] >> 4]);
		sb_putc(b, digits[p[i] & 15]);
	}
	if (fmt == DS_UAPI_FMT_JSON)
		sb_putc(b, '"');
}

static void put_struct(struct sb *b, const struct ds_uapi_struct *s,
		       const uint8_t *data, size_t len, enum ds_uapi_format fmt,
		       const char *prefix, bool *first, unsigned nesting);

static void put_key(struct sb *b, const char *prefix, const char *name,
		    enum ds_uapi_format fmt, bool *first)
{
	if (!*first)
		sb_putc(b, fmt == DS_UAPI_FMT_JSON ? ',' : ' ');
	*first = false;
	if (fmt == DS_UAPI_FMT_JSON) {
		sb_putc(b, '"');
		sb_puts(b, name);
		sb_puts(b, "\":");
	} else {
		if (prefix) {
			sb_puts(b, prefix);
			sb_putc(b, '.');
		}
		sb_puts(b, name);
		sb_putc(b, '=');
	}
}

static void put_field(struct sb *b, const struct ds_uapi_field *f,
		      const uint8_t *data, size_t len, enum ds_uapi_format fmt,
		      const char *prefix, bool *first, unsigned nesting)
{
	uint64_t end = (uint64_t)f->offset + (uint64_t)f->size * f->nelem;
	uint64_t v;
	unsigned i;

	if (end > len)
		return;		/* not in the bytes we have */

	if (f->kind == DS_UAPI_STRUCT) {
		if (!f->sub || nesting >= MAX_NESTING)
			return;
		if (fmt == DS_UAPI_FMT_JSON) {
			bool sub_first = true;

			put_key(b, prefix, f->name, fmt, first);
			sb_putc(b, '{');
			put_struct(b, f->sub, data + f->offset, f->size, fmt,
				   NULL, &sub_first, nesting + 1);
			sb_putc(b, '}');
		} else {
			char sub_prefix[128];

			snprintf(sub_prefix, sizeof(sub_prefix), "%s%s%s",
				 prefix ? prefix : "", prefix ? "." : "", f->name);
			put_struct(b, f->sub, data + f->offset, f->size, fmt,
				   sub_prefix, first, nesting + 1);
		}
		return;
	}

	put_key(b, prefix, f->name, fmt, first);
	if (f->kind == DS_UAPI_CHARS) {
		put_chars(b, data + f->offset, f->nelem, fmt);
		return;
	}
	if (f->nelem > 1)
		sb_putc(b, '[');
	for (i = 0; i < f->nelem; i++) {
		if (i)
			sb_putc(b, ',');
		if (ds_uapi_field_get(f, data, len, i, &v))
			sb_puts(b, fmt == DS_UAPI_FMT_JSON ? "null" : "?");
		else
			put_int(b, v, f->kind, f->flags & DS_UAPI_F_SIGNED, fmt);
	}
	if (f->nelem > 1)
		sb_putc(b, ']');
}

static void put_struct(struct sb *b, const struct ds_uapi_struct *s,
		       const uint8_t *data, size_t len, enum ds_uapi_format fmt,
		       const char *prefix, bool *first, unsigned nesting)
{
	uint32_t i;

	for (i = 0; i < s->nfields; i++)
		put_field(b, &s->fields[i], data, len, fmt, prefix, first,
			  nesting);
}

int ds_uapi_format_struct(const struct ds_uapi_struct *s, const void *data,
			  size_t len, enum ds_uapi_format fmt, char *buf,
			  size_t size)
{
	struct sb b = { .buf = buf, .size = buf ? size : 0 };
	bool first = true;

	if (!s || (!data && len))
		return -1;
	if (fmt == DS_UAPI_FMT_JSON)
		sb_putc(&b, '{');
	put_struct(&b, s, data, len, fmt, NULL, &first, 0);
	if (fmt == DS_UAPI_FMT_JSON)
		sb_putc(&b, '}');
	sb_finish(&b);
	return b.len > INT32_MAX ? INT32_MAX : (int)b.len;
}

int ds_uapi_format_array(const struct ds_uapi_array *a, const void *data,
			 size_t len, uint64_t count, uint32_t stride,
			 enum ds_uapi_format fmt, char *buf, size_t size)
{
	struct sb b = { .buf = buf, .size = buf ? size : 0 };
	const uint8_t *p = data;
	uint64_t i;

	if (!a || (!data && len))
		return -1;

	if (a->count_mode == DS_UAPI_COUNT_BYTES) {
		uint64_t n = count < len ? count : len;

		if (a->elem) {
			bool first = true;

			if (fmt == DS_UAPI_FMT_JSON)
				sb_putc(&b, '{');
			put_struct(&b, a->elem, p, n, fmt, NULL, &first, 0);
			if (fmt == DS_UAPI_FMT_JSON)
				sb_putc(&b, '}');
		} else {
			put_hex_bytes(&b, p, n, fmt);
		}
		goto out;
	}
	if (a->elem_kind == DS_UAPI_CHARS) {
		put_chars(&b, p, count < len ? count : len, fmt);
		goto out;
	}

	sb_putc(&b, '[');
	for (i = 0; i < count; i++) {
		uint64_t off = i * (uint64_t)stride;

		if (!stride || off >= len)
			break;
		if (i)
			sb_putc(&b, ',');
		if (a->elem) {
			bool first = true;
			size_t elen = len - off;

			if (elen > stride)
				elen = stride;
			sb_putc(&b, '{');
			put_struct(&b, a->elem, p + off, elen, fmt, NULL, &first, 0);
			sb_putc(&b, '}');
		} else {
			struct ds_uapi_field f = {
				.name = "",
				.size = (uint16_t)a->elem_size,
				.nelem = 1,
				.kind = a->elem_kind,
			};
			uint64_t v;

			if (ds_uapi_field_get(&f, p + off, len - off, 0, &v))
				break;
			put_int(&b, v, a->elem_kind, false, fmt);
		}
	}
	sb_putc(&b, ']');
out:
	sb_finish(&b);
	return b.len > INT32_MAX ? INT32_MAX : (int)b.len;
}
