/*
 * Self-contained HTML pages: one file that needs nothing else (no network,
 * no external scripts, styles or fonts; its policy forbids fetching any),
 * so a report can be mailed or archived and still read the same.
 */
#ifndef IE_HTML_H
#define IE_HTML_H

#include "util/strbuf.h"

/* Appends s with &, <, >, " and ' escaped. */
void html_escape(struct strbuf *out, const char *s);
/* The page's head (title escaped), its style and the script that sorts a
 * table.sortable by the heading clicked, then the opening <body>. */
void html_page_begin(struct strbuf *out, const char *title);
/* Closes the body and the page. */
void html_page_end(struct strbuf *out);

#endif
