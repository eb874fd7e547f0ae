/*
 * A growable string with a maximum size and a sticky error flag. The
 * buffer is always NUL-terminated. Appends past the maximum set err and are
 * dropped, so a caller can build a whole string and check err once.
 * sb.buf stays valid until the next append or strbuf_release.
 */
#ifndef IE_STRBUF_H
#define IE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	size_t max; /* 0: no limit */
	int err;    /* set once an append went past max */
};

#define STRBUF_INIT { NULL, 0, 0, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t max);
void strbuf_release(struct strbuf *sb);
/* Returns the string (the caller frees it) and leaves sb empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);
void strbuf_truncate(struct strbuf *sb, size_t len);

void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Python's str.strip() on ASCII white space, in place. */
void strbuf_strip(struct strbuf *sb);

/* The string itself; "" for a buffer never written to. */
static inline const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

#endif
