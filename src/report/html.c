/* Self-contained HTML pages (html.h). */
#include "report/html.h"
#include "util/banned.h"

void html_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_adds(out, "&amp;"); break;
		case '<': strbuf_adds(out, "&lt;"); break;
		case '>': strbuf_adds(out, "&gt;"); break;
		case '"': strbuf_adds(out, "&quot;"); break;
		case '\'': strbuf_adds(out, "&#39;"); break;
		default: strbuf_addc(out, *s);
		}
	}
}

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;"
	"padding:0 1em;color:#1d1d1f}\n"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em}\n"
	"table{border-collapse:collapse;margin:.5em 0}\n"
	"th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f4f4f6}td.num,th.num{text-align:right;"
	"font-variant-numeric:tabular-nums}\n"
	"table.sortable th{cursor:pointer}table.sortable th:hover{background:#e6e6ea}\n"
	".note{color:#666;font-size:.9em}.sig{font-weight:600}\n"
	"figure.chart{margin:1em 0;overflow-x:auto;max-width:100%}\n"
	".sample{border:1px solid #ddd;border-radius:4px;padding:.5em;margin:.5em 0}\n"
	".sample .field{color:#666;font-size:.85em;margin-top:.3em}\n"
	".ok{color:#2a7a2a}.bad{color:#b22}#browser label{margin-right:1em}\n"
	"pre{white-space:pre-wrap;background:#f7f7f9;padding:.5em;margin:.2em 0;"
	"max-height:24em;overflow:auto}\n";

/* Sorts by the clicked heading: numbers (data-v) high to low, then text;
 * a second click reverses. */
static const char sorter[] =
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	" t.querySelectorAll('th').forEach(function(th,i){\n"
	"  th.addEventListener('click',function(){\n"
	"   var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
	"   var dir=th.dataset.dir==='1'?-1:1;th.dataset.dir=dir===1?'1':'0';\n"
	"   rows.sort(function(x,y){\n"
	"    var a=x.cells[i],c=y.cells[i];\n"
	"    if(a.dataset.v!==undefined){\n"
	"     var p=a.dataset.v===''?-Infinity:+a.dataset.v,"
	"q=c.dataset.v===''?-Infinity:+c.dataset.v;\n"
	"     return dir*(q-p);}\n"
	"    return dir*a.textContent.localeCompare(c.textContent);});\n"
	"   rows.forEach(function(r){b.appendChild(r);});});});});\n";

void html_page_begin(struct strbuf *out, const char *title)
{
	strbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
			 "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
			 "img-src data:\">\n<meta name=\"viewport\" content=\"width=device-width\">"
			 "\n<title>");
	html_escape(out, title);
	strbuf_addf(out, "</title>\n<style>\n%s</style>\n</head><body>\n<h1>", style);
	html_escape(out, title);
	strbuf_adds(out, "</h1>\n");
}

void html_page_end(struct strbuf *out)
{
	strbuf_addf(out, "<script>\n%s</script>\n</body></html>\n", sorter);
}
