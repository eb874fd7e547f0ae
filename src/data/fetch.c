/* Resumable downloads with libcurl (fetch.h). */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "data/fetch.h"
#include "util/fileio.h"
#include "util/progress.h"
#include "util/strbuf.h"
#include "util/banned.h"

struct transfer {
	CURL *c;
	FILE *f;
	const char *validator_path;
	const struct fetch_opts *o;
	curl_off_t offset;   /* bytes in the part before this attempt */
	int started;         /* the first byte of the body has arrived */
	char etag[256], modified[256];
	struct progress bar; /* drawn when o->progress */
};

/* ---- progress ---- */

static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct transfer *t = p;

	(void)ultotal;
	(void)ulnow;
	if (t->started) {
		t->bar.total = dltotal ? (size_t)(t->offset + dltotal) : 0;
		progress_update(&t->bar, (size_t)(t->offset + dlnow));
	}
	return 0;
}

/* ---- the transfer ---- */

/* Keeps the validators of the last response (a redirect's are dropped
 * when the next status line arrives). */
static size_t on_header(char *line, size_t size, size_t n, void *p)
{
	struct transfer *t = p;
	size_t len = size * n;
	char *dest = NULL;
	const char *v;

	if (len >= 5 && !strncmp(line, "HTTP/", 5)) {
		t->etag[0] = t->modified[0] = '\0';
	} else if (len > 5 && !strncasecmp(line, "ETag:", 5)) {
		dest = t->etag;
	} else if (len > 14 && !strncasecmp(line, "Last-Modified:", 14)) {
		dest = t->modified;
	}
	if (dest) {
		size_t vl;

		v = (const char *)memchr(line, ':', len) + 1;
		vl = len - (size_t)(v - line);
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		if (vl < 256) {
			memcpy(dest, v, vl);
			dest[vl] = '\0';
		}
	}
	return len;
}

/* If-Range needs a strong validator: an ETag not marked weak, else the
 * modification date. */
static const char *validator(const struct transfer *t)
{
	if (t->etag[0] && strncmp(t->etag, "W/", 2))
		return t->etag;
	return t->modified[0] ? t->modified : NULL;
}

/* The body's first bytes: a new body's validator is kept for the next
 * resume. (libcurl itself refuses a whole file sent in answer to a Range
 * request: see fetch_file.) */
static int start_body(struct transfer *t)
{
	long status = 0;
	const char *v;

	t->started = 1;
	curl_easy_getinfo(t->c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 206)
		return 0;
	if ((v = validator(t)))
		return file_write_atomic(t->validator_path, v, strlen(v), NULL);
	unlink(t->validator_path);
	return 0;
}

static size_t on_data(char *data, size_t size, size_t n, void *p)
{
	struct transfer *t = p;

	if (!t->started && start_body(t) < 0)
		return 0;
	return fwrite(data, size, n, t->f) * size;
}

static void setup(CURL *c, const char *url, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer is a fault to resume from, not a wait forever. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "instructeval/" IE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

/* One attempt, appending to the part. Returns the curl code; *status the
 * HTTP status (0 for file://). */
static CURLcode attempt(const char *url, const char *part, const char *vpath,
			const struct fetch_opts *o, long *status, char *errbuf)
{
	struct transfer t = { .validator_path = vpath, .o = o };
	struct curl_slist *headers = NULL;
	char *old = NULL, hdr[300];
	size_t len;
	CURLcode rc;

	if (!(t.f = fopen(part, "ab")))
		return CURLE_WRITE_ERROR;
	t.offset = (curl_off_t)(file_size(part) > 0 ? file_size(part) : 0);
	t.c = curl_easy_init();
	setup(t.c, url, errbuf);
	curl_easy_setopt(t.c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(t.c, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(t.c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t.c, CURLOPT_HEADERDATA, &t);
	if (t.offset) {
		curl_easy_setopt(t.c, CURLOPT_RESUME_FROM_LARGE, t.offset);
		if (file_read(vpath, &old, &len, NULL) == 0 && len < 256) {
			snprintf(hdr, sizeof(hdr), "If-Range: %s", old);
			headers = curl_slist_append(headers, hdr);
			curl_easy_setopt(t.c, CURLOPT_HTTPHEADER, headers);
		}
		free(old);
	}
	if (o->progress) {
		progress_start(&t.bar, o->label ? o->label : "", 0, false);
		t.bar.bytes = true;
		curl_easy_setopt(t.c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(t.c, CURLOPT_XFERINFODATA, &t);
		curl_easy_setopt(t.c, CURLOPT_NOPROGRESS, 0L);
	}
	rc = curl_easy_perform(t.c);
	*status = 0;
	curl_easy_getinfo(t.c, CURLINFO_RESPONSE_CODE, status);
	if (o->progress && t.started) {
		if (rc == CURLE_OK) {
			t.bar.total = t.bar.done = (size_t)file_size(part);
			progress_finish(&t.bar);
		} else
			fputc('\n', stderr);
	}
	curl_easy_cleanup(t.c);
	curl_slist_free_all(headers);
	if (fclose(t.f) != 0 && rc == CURLE_OK)
		rc = CURLE_WRITE_ERROR;
	return rc;
}

/* Faults that a later attempt can get past. */
static int transient(CURLcode rc, long status)
{
	if (rc == CURLE_HTTP_RETURNED_ERROR)
		return status == 408 || status == 416 || status == 429 || status >= 500;
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_PARTIAL_FILE ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM || rc == CURLE_SSL_CONNECT_ERROR;
}

int fetch_file(const char *url, const char *path, const struct fetch_opts *o,
	       struct ie_error *err)
{
	struct strbuf part = STRBUF_INIT, vpath = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc = CURLE_OK;
	long status = 0;
	int ret = 0;

	strbuf_addf(&part, "%s.part", path);
	strbuf_addf(&vpath, "%s.validator", path);
	for (int i = 0, restarted = 0; i <= o->retries; i++) {
		if (i)
			sleep(i < 5 ? 1u << (i - 1) : 30u);
		errbuf[0] = '\0';
		rc = attempt(url, part.buf, vpath.buf, o, &status, errbuf);
		/* The whole file came back to a Range request (the file changed,
		 * or the server ignores ranges): the part is stale; start over
		 * at once. */
		if (rc == CURLE_RANGE_ERROR && !restarted++) {
			unlink(part.buf);
			unlink(vpath.buf);
			i--;
			continue;
		}
		if (rc == CURLE_OK || !transient(rc, status))
			break;
		/* The range asked for is past the server's file: start over. */
		if (status == 416)
			unlink(part.buf);
	}
	if (rc != CURLE_OK && file_size(part.buf) == 0)
		unlink(part.buf); /* nothing to resume */
	if (rc == CURLE_WRITE_ERROR)
		ret = ie_error_set(err, IE_EIO, "cannot write '%s': %s", part.buf, strerror(errno));
	else if (rc != CURLE_OK)
		ret = ie_error_set(err, IE_EIO, "cannot download %s: %s", url,
				   errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (rename(part.buf, path) != 0)
		ret = ie_error_set(err, IE_EIO, "cannot rename '%s': %s", part.buf, strerror(errno));
	else
		unlink(vpath.buf);
	strbuf_release(&part);
	strbuf_release(&vpath);
	return ret;
}

int fetch_exists(const char *url)
{
	char errbuf[CURL_ERROR_SIZE];
	CURL *c = curl_easy_init();
	CURLcode rc;

	setup(c, url, errbuf);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return rc == CURLE_OK;
}
