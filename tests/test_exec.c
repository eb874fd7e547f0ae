/* The executor: a suite of hostile programs, each with the statuses it may
 * end with, run with namespaces, in the fallback and in the fallback
 * without Landlock; then many programs through the worker pool, which
 * must all pass without leaking descriptors, zombies or processes. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <seccomp.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define BIT(s) (1u << (s))
#define PASSED BIT(EXEC_PASSED)
#define FAILED BIT(EXEC_FAILED)
#define TIMEOUT BIT(EXEC_TIMEOUT)
#define MEMORY BIT(EXEC_MEMORY)
#define OUTPUT_LIMIT BIT(EXEC_OUTPUT_LIMIT)
#define SIGNALLED BIT(EXEC_SIGNAL)

enum {
	RAW = 1 << 0,         /* body is the whole program */
	QUICK = 1 << 1,       /* must end well before the deadline */
	CAPPED = 1 << 2,      /* output kept: exactly the capture limit, more counted */
	NO_SECRET = 1 << 3,   /* output shows the environment without the secret */
	EBADF_18 = 1 << 4,    /* output says "ebadf 18" */
	NOT_ALLOWED = 1 << 5, /* output has "refused:" lines and no "allowed:" */
	EXIT_0 = 1 << 6,      /* exit code 0 (and still not passed) */
	FS = 1 << 7,          /* needs file-system isolation (not run without Landlock) */
	SIGABRT_ = 1 << 8,    /* ended by SIGABRT */
};

struct hostile {
	const char *name;
	const char *body;
	unsigned expect;
	unsigned flags;
};

static const char prologue[] = "def f(x):\n    return 2 * x\n\n";
static const char epilogue[] = "\n\ndef check(candidate):\n    assert candidate(2) == 4\n"
			       "    assert candidate(-1) == -2\n\ncheck(f)";

static const struct hostile hostiles[] = {
	{ "correct", "", PASSED, QUICK },
	{ "wrong_answer", "def f(x):\n    return x\n", FAILED, QUICK },
	{ "infinite_loop", "while True:\n    pass\n", TIMEOUT, 0 },
	{ "swallow_every_exception",
	  "while True:\n    try:\n        while True:\n            pass\n"
	  "    except BaseException:\n        pass\n",
	  TIMEOUT, 0 },
	{ "sleep_forever", "import time\ntime.sleep(1e6)\n", TIMEOUT, 0 },
	{ "fork_bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
	  TIMEOUT | FAILED, 0 },
	{ "double_fork_setsid_left_running",
	  "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
	  "        time.sleep(30)\n    os._exit(0)\n",
	  PASSED, QUICK },
	{ "huge_allocation", "x = bytearray(1 << 40)\n", MEMORY | FAILED, QUICK },
	{ "huge_list", "x = [0] * (1 << 33)\n", MEMORY | FAILED, QUICK },
	{ "thread_bomb",
	  "import threading, time\nwhile True:\n"
	  "    threading.Thread(target=time.sleep, args=(100,), daemon=True).start()\n",
	  FAILED | TIMEOUT | MEMORY, 0 },
	{ "output_flood", "while True:\n    print('x' * 4096)\n", OUTPUT_LIMIT, CAPPED },
	{ "big_output_then_pass", "print('y' * 200000)\n", PASSED, CAPPED },
	{ "close_stdout_and_stderr_then_spin", "import os\nos.close(1)\nos.close(2)\nwhile True:\n    pass\n",
	  TIMEOUT, 0 },
	{ "input_gets_eof", "input()\n", FAILED, QUICK },
	{ "sys_exit_0_before_check", "import sys\nsys.exit(0)\n", FAILED, QUICK | EXIT_0 },
	{ "os_exit_0_before_check", "import os\nos._exit(0)\n", FAILED, QUICK | EXIT_0 },
	{ "exit_builtin_before_check", "exit()\n", FAILED, QUICK | EXIT_0 },
	{ "raise_systemexit_in_check",
	  "def f(x):\n    return 2 * x\n\ndef check(candidate):\n    raise SystemExit(0)\n\ncheck(f)\n",
	  FAILED, QUICK | RAW | EXIT_0 },
	{ "kill_parent", "import os, time\nos.kill(os.getppid(), 9)\ntime.sleep(0.2)\nraise SystemExit(0)\n",
	  FAILED | SIGNALLED, QUICK },
	{ "kill_everything", "import os, time\nos.kill(-1, 9)\ntime.sleep(0.2)\nraise SystemExit(0)\n",
	  FAILED | SIGNALLED, QUICK },
	{ "kill_parents_process_group",
	  "import os, time\nos.killpg(os.getpgid(os.getppid()), 9)\ntime.sleep(0.2)\nraise SystemExit(0)\n",
	  FAILED | SIGNALLED, QUICK },
	{ "kill_self", "import os\nos.kill(os.getpid(), 9)\n", SIGNALLED, QUICK },
	{ "abort", "import os\nos.abort()\n", SIGNALLED, QUICK | SIGABRT_ },
	{ "rmtree_home", "import os, shutil\nshutil.rmtree(os.environ['HOME'], ignore_errors=True)\n",
	  PASSED | FAILED, QUICK },
	{ "rmtree_canary", "import shutil\nshutil.rmtree(@CANARY@)\n", FAILED, QUICK | FS },
	{ "write_into_canary", "open(@CANARY@ + '/owned', 'w').write('x')\n", FAILED, QUICK | FS },
	{ "huge_file", "open('big', 'wb').write(b'x' * (64 << 20))\n", FAILED | SIGNALLED, QUICK | FS },
	{ "deep_unremovable_tree",
	  "import os\nfor i in range(300):\n    os.mkdir('d')\n    os.chdir('d')\n"
	  "open('f', 'w').write('x')\nos.chdir('..')\nos.chmod('d', 0)\nos.chmod('.', 0o500)\n"
	  "os.chdir(os.environ['HOME'])\n",
	  PASSED, QUICK },
	{ "connect_loopback", "import socket\nsocket.create_connection(('127.0.0.1', @PORT@), timeout=0.5)\n",
	  FAILED, QUICK },
	{ "connect_outside", "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=0.5)\n",
	  FAILED, QUICK },
	{ "environment_secret",
	  "import os\nprint(sorted(os.environ.items()))\nassert 'IE_TEST_SECRET' not in os.environ\n",
	  PASSED, QUICK | NO_SECRET },
	{ "print_passed", "import os\nprint('passed')\nprint('0' * 32)\nos._exit(0)\n", FAILED,
	  QUICK | EXIT_0 },
	{ "write_other_descriptors",
	  "import os\nbad = 0\nfor fd in range(3, 21):\n    try:\n        os.write(fd, b'0' * 32)\n"
	  "    except OSError as e:\n        bad += e.errno == 9\nprint('ebadf', bad)\nos._exit(0)\n",
	  FAILED, QUICK | EBADF_18 },
	{ "forge_token_descriptor", "import os\nos.write(1000, b'0' * 32)\nos._exit(0)\n", FAILED,
	  QUICK | EXIT_0 },
	{ "hunt_for_the_token",
	  "import os, sys\nfound = []\nfr = sys._getframe()\nwhile fr is not None:\n"
	  "    found += [v for v in fr.f_locals.values() if isinstance(v, (bytes, str)) and len(v) == 32]\n"
	  "    fr = fr.f_back\n"
	  "for attempt in ('import gc; gc.get_objects()', \"open('/proc/self/mem', 'rb')\",\n"
	  "                'import ctypes', 'sys._current_frames()', 'sys.settrace(print)',\n"
	  "                \"import subprocess; subprocess.run(['cat', '/proc/1/environ'])\",\n"
	  "                \"os.system('true')\", \"os.symlink('/proc', 'p')\",\n"
	  "                'import marshal; marshal.loads(b\"N\")'):\n"
	  "    try:\n        exec(attempt)\n        print('allowed:', attempt)\n"
	  "    except BaseException as e:\n        print('refused:', attempt, type(e).__name__)\n"
	  "for v in found:\n    try:\n        os.write(1000, v if isinstance(v, bytes) else v.encode())\n"
	  "    except OSError:\n        pass\nsys.stdout.flush()\nos._exit(0)\n",
	  FAILED, QUICK | NOT_ALLOWED | EXIT_0 },
	{ "runaway_recursion", "def r(n):\n    return r(n + 1)\n\nr(0)\n", FAILED, QUICK },
	{ "syntax_error", "def f(:\n    pass\n", FAILED, QUICK | RAW },
	{ "invalid_utf8", "x = '\xff\xfe'\n", FAILED, QUICK | RAW },
	{ "nul_bytes", NULL, FAILED, QUICK | RAW }, /* built in make_program */
};

#define N_HOSTILE (sizeof(hostiles) / sizeof(hostiles[0]))

struct env {
	char *tmp;      /* folder for the canary and the fallback's private folders */
	char *canary;
	int listener;
	int port;
};

static struct env env;

static void replace(struct strbuf *sb, const char *text, const char *from, const char *to)
{
	const char *p;

	while ((p = strstr(text, from))) {
		strbuf_add(sb, text, (size_t)(p - text));
		strbuf_adds(sb, to);
		text = p + strlen(from);
	}
	strbuf_adds(sb, text);
}

static void make_program(const struct hostile *h, struct strbuf *out)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	char port[16], canary[1100];

	if (!h->body) { /* NUL bytes */
		static const char nul[] = "x = 1\0\ny = 2\n";

		strbuf_add(out, nul, sizeof(nul) - 1);
		return;
	}
	snprintf(port, sizeof(port), "%d", env.port);
	snprintf(canary, sizeof(canary), "'%s'", env.canary);
	replace(&a, h->body, "@PORT@", port);
	replace(&b, a.buf ? a.buf : "", "@CANARY@", canary);
	if (!(h->flags & RAW))
		strbuf_adds(out, prologue);
	strbuf_add(out, b.buf ? b.buf : "", b.len);
	if (!(h->flags & RAW))
		strbuf_adds(out, epilogue);
	strbuf_release(&a);
	strbuf_release(&b);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the one opendir holds */
}

/* Processes of this evaluator's sandboxes still alive: their command line
 * holds "ie-exec:<our pid> ". */
static int sandbox_processes(void)
{
	char marker[64], path[300], buf[65536];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	assert_non_null(d);
	snprintf(marker, sizeof(marker), "ie-exec:%ld ", (long)getpid());
	while ((de = readdir(d))) {
		ssize_t len;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf));
		close(fd);
		if (len > 0 && memmem(buf, (size_t)len, marker, strlen(marker)))
			n++;
	}
	closedir(d);
	return n;
}

static int leftover_private_folders(void)
{
	DIR *d = opendir(env.tmp);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "ie-exec-", 8);
	closedir(d);
	return n;
}

static void no_zombies(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static int setup(void **state)
{
	const char *base = getenv("IE_TEST_TMP");
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct ie_error err;
	char *file;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	setenv("IE_TEST_SECRET", "hunter2-do-not-leak", 1);
	env.tmp = path_join(base && *base ? base : "/tmp", "exec");
	if (file_mkdirs(env.tmp, &err) < 0)
		return -1;
	env.canary = path_join(env.tmp, "canary");
	if (file_mkdirs(env.canary, &err) < 0)
		return -1;
	file = path_join(env.canary, "keep");
	if (file_write_atomic(file, "x", 1, &err) < 0)
		return -1;
	free(file);

	env.listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (env.listener < 0 || bind(env.listener, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(env.listener, 8) < 0 || getsockname(env.listener, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	env.port = ntohs(sa.sin_port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(env.listener);
	free(env.canary);
	free(env.tmp);
	return 0;
}

static void base_config(struct exec_config *cfg)
{
	exec_config_init(cfg);
	/* Long enough that a quick program finishes even while the other tests
	 * load the machine (interpreter start-up is slow then), short enough
	 * that the programs that must time out keep the suite quick. */
	cfg->timeout_s = 2.5;
	cfg->max_output = 1 << 20;
	cfg->workers = 2;
	cfg->tmp_dir = env.tmp;
}

/* Checks one result against its case; appends a line to report when wrong. */
static void check_result(const struct hostile *h, const struct exec_config *cfg,
			 const struct exec_result *r, struct strbuf *report)
{
	const char *out = r->output ? r->output : "";
	const char *why = NULL;

	if (!(h->expect & BIT(r->status)))
		why = "unexpected status";
	else if ((h->flags & QUICK) && (double)r->wall_ms > 900 * cfg->timeout_s)
		why = "took too long";
	else if ((h->flags & CAPPED) &&
		 (r->output_len != cfg->capture_limit || r->output_total <= cfg->capture_limit))
		why = "output not capped at the capture limit";
	else if ((h->flags & NO_SECRET) && (strstr(out, "hunter2") || !strstr(out, "HOME")))
		why = "environment not scrubbed";
	else if ((h->flags & EBADF_18) && !strstr(out, "ebadf 18"))
		why = "some descriptor in 3..20 was open";
	else if ((h->flags & NOT_ALLOWED) && (strstr(out, "allowed:") || !strstr(out, "refused:")))
		why = "the harness allowed an introspection path";
	else if ((h->flags & EXIT_0) && r->exit_code != 0)
		why = "exit code not 0";
	else if ((h->flags & SIGABRT_) && r->term_signal != SIGABRT)
		why = "not ended by SIGABRT";
	else if (!r->isolation[0])
		why = "no isolation level";
	if (why)
		strbuf_addf(report, "%s: %s (status %s, exit %d, signal %d, %ld ms, %s)\n%.600s\n",
			    h->name, why, exec_status_name(r->status), r->exit_code, r->term_signal,
			    r->wall_ms, r->detail, out);
}

static void run_hostiles(int no_namespaces, int no_landlock)
{
	struct exec_job jobs[N_HOSTILE];
	struct exec_result res[N_HOSTILE];
	struct strbuf programs[N_HOSTILE];
	const struct hostile *cases[N_HOSTILE];
	struct strbuf report = STRBUF_INIT;
	struct exec_config cfg;
	struct ie_error err;
	char *kept, *owned;
	size_t n = 0;
	int fds = count_fds();

	base_config(&cfg);
	cfg.no_namespaces = no_namespaces;
	cfg.no_landlock = no_landlock;
	for (size_t i = 0; i < N_HOSTILE; i++) {
		if (no_landlock && (hostiles[i].flags & FS))
			continue;
		cases[n] = &hostiles[i];
		strbuf_init(&programs[n], 0);
		make_program(&hostiles[i], &programs[n]);
		jobs[n].program = programs[n].buf;
		jobs[n].len = programs[n].len;
		n++;
	}
	assert_int_equal(exec_run_many(&cfg, jobs, n, res, NULL, NULL, &err), 0);
	for (size_t i = 0; i < n; i++) {
		if (no_namespaces)
			assert_non_null(strstr(res[i].isolation, "rlimits+seccomp"));
		check_result(cases[i], &cfg, &res[i], &report);
		exec_result_release(&res[i]);
		strbuf_release(&programs[i]);
	}
	if (report.len)
		print_message("%s", report.buf);
	assert_int_equal(report.len, 0);
	strbuf_release(&report);

	/* The evaluator is intact, and nothing of the programs is left. */
	kept = path_join(env.canary, "keep");
	owned = path_join(env.canary, "owned");
	if (!no_landlock) {
		assert_true(file_exists(kept));
		assert_false(file_exists(owned));
	}
	free(kept);
	free(owned);
	assert_int_equal(accept(env.listener, NULL, NULL), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	assert_int_equal(sandbox_processes(), 0);
	assert_int_equal(leftover_private_folders(), 0);
	assert_int_equal(count_fds(), fds);
	no_zombies();
}

static void isolation_level_is_reported(void **state)
{
	struct exec_config cfg;
	struct ie_error err;
	char level[64], why[256];

	(void)state;
	base_config(&cfg);
	assert_int_equal(exec_isolation(&cfg, level, sizeof(level), why, sizeof(why), &err), 0);
	print_message("isolation: %s%s%s\n", level, why[0] ? "; no namespaces: " : "", why);
	assert_true(!strncmp(level, "namespaces+seccomp", 18) || !strncmp(level, "rlimits+seccomp", 15));
	cfg.no_namespaces = 1;
	assert_int_equal(exec_isolation(&cfg, level, sizeof(level), why, sizeof(why), &err), 0);
	assert_true(!strncmp(level, "rlimits+seccomp", 15));
	assert_string_equal(why, "namespaces were turned off");
}

static void hostile_programs_with_namespaces(void **state)
{
	(void)state;
	run_hostiles(0, 0);
}

static void hostile_programs_in_the_fallback(void **state)
{
	(void)state;
	run_hostiles(1, 0);
}

static void hostile_programs_in_the_fallback_without_landlock(void **state)
{
	(void)state;
	run_hostiles(1, 1);
}

static void require_isolation_refuses_the_fallback(void **state)
{
	static const char program[] = "pass\n";
	const struct exec_job job = { program, sizeof(program) - 1 };
	struct exec_config cfg;
	struct exec_result r;
	struct ie_error err, err2;
	char level[64];
	int rc;

	(void)state;
	base_config(&cfg);
	cfg.require_isolation = 1;
	cfg.no_namespaces = 1;
	assert_int_equal(exec_run_one(&cfg, &job, &r, &err), IE_EUSAGE);
	cfg.no_namespaces = 0;
	rc = exec_run_one(&cfg, &job, &r, &err);
	cfg.require_isolation = 0;
	assert_int_equal(exec_isolation(&cfg, level, sizeof(level), NULL, 0, &err2), 0);
	if (!strncmp(level, "namespaces", 10)) {
		assert_int_equal(rc, 0);
		assert_int_equal(r.status, EXEC_PASSED);
		assert_non_null(strstr(r.isolation, "namespaces"));
	} else {
		assert_int_equal(rc, IE_EEVAL);
		assert_non_null(strstr(err.msg, "require_isolation"));
	}
	exec_result_release(&r);
}

/* In a child whose unshare() is refused, as by a kernel or container
 * without user namespaces: the self-test finds out at once, runs fall
 * back, and require_isolation refuses. The child names the interpreter
 * ("python3" rather than the default NULL) to get a self-test of its own
 * instead of the parent's cached one. */
static int fallback_child(void)
{
	static const char program[] = "def f():\n    return 1\n\nassert f() == 1\n";
	const struct exec_job job = { program, sizeof(program) - 1 };
	struct exec_config cfg;
	struct exec_result r;
	struct ie_error err;
	struct timespec t0, t1;
	char level[64], why[256];
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		return 10;
	seccomp_release(ctx);
	base_config(&cfg);
	cfg.python = "python3";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (exec_isolation(&cfg, level, sizeof(level), why, sizeof(why), &err) < 0)
		return 11;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (strncmp(level, "rlimits+seccomp", 15) || !strstr(why, "unshare"))
		return 12;
	if (t1.tv_sec - t0.tv_sec > 5)
		return 13;
	if (exec_run_one(&cfg, &job, &r, &err) < 0 || r.status != EXEC_PASSED ||
	    strncmp(r.isolation, "rlimits+seccomp", 15))
		return 14;
	exec_result_release(&r);
	cfg.require_isolation = 1;
	if (exec_run_one(&cfg, &job, &r, &err) != IE_EEVAL || !strstr(err.msg, "unshare"))
		return 15;
	return 0;
}

static void refused_namespaces_fall_back(void **state)
{
	int st = 0;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fallback_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(sandbox_processes(), 0);
	no_zombies();
}

static void bad_configurations_are_usage_errors(void **state)
{
	static const char program[] = "pass\n";
	const struct exec_job job = { program, sizeof(program) - 1 };
	struct exec_config cfg;
	struct exec_result r;
	struct ie_error err;

	(void)state;
	base_config(&cfg);
	cfg.timeout_s = 0;
	assert_int_equal(exec_run_one(&cfg, &job, &r, &err), IE_EUSAGE);
	assert_non_null(strstr(err.msg, "timeout"));
	base_config(&cfg);
	cfg.max_open_files = 3;
	assert_int_equal(exec_run_one(&cfg, &job, &r, &err), IE_EUSAGE);
	base_config(&cfg);
	cfg.python = "/nonexistent/python3";
	assert_int_equal(exec_run_one(&cfg, &job, &r, &err), IE_EEVAL);
	assert_non_null(strstr(err.msg, "/nonexistent/python3"));
}

struct counter {
	size_t calls, last;
	int monotonic;
};

static void count_progress(void *data, size_t done, size_t total)
{
	struct counter *c = data;

	(void)total;
	c->monotonic &= done == c->last + 1;
	c->last = done;
	c->calls++;
}

/* IE_EXEC_MANY programs (200 by default) through 2 workers: all pass, in
 * input order, and the evaluator ends as clean as it started. */
static void many_programs_pass_without_leaks(void **state)
{
	const char *env_n = getenv("IE_EXEC_MANY");
	size_t n = env_n && *env_n ? strtoul(env_n, NULL, 10) : 200;
	struct exec_job *jobs = xcalloc(n, sizeof(*jobs));
	struct exec_result *res = xcalloc(n, sizeof(*res));
	struct strbuf *programs = xcalloc(n, sizeof(*programs));
	struct counter c = { 0, 0, 1 };
	struct exec_config cfg;
	struct ie_error err;
	int fds;

	(void)state;
	base_config(&cfg);
	cfg.timeout_s = 10;
	/* Warm up (self-test) before counting descriptors. */
	{
		char level[64];

		assert_int_equal(exec_isolation(&cfg, level, sizeof(level), NULL, 0, &err), 0);
	}
	fds = count_fds();
	for (size_t i = 0; i < n; i++) {
		strbuf_init(&programs[i], 0);
		strbuf_addf(&programs[i],
			    "def f(x):\n    return x + %zu\n\ndef check(c):\n    assert c(1) == %zu\n"
			    "    print(%zu)\n\ncheck(f)",
			    i, i + 1, i);
		jobs[i].program = programs[i].buf;
		jobs[i].len = programs[i].len;
	}
	assert_int_equal(exec_run_many(&cfg, jobs, n, res, count_progress, &c, &err), 0);
	for (size_t i = 0; i < n; i++) {
		char want[32];

		if (res[i].status != EXEC_PASSED)
			print_message("program %zu: %s %s\n%s\n", i, exec_status_name(res[i].status),
				      res[i].detail, res[i].output);
		assert_int_equal(res[i].status, EXEC_PASSED);
		snprintf(want, sizeof(want), "%zu\n", i);
		assert_string_equal(res[i].output, want);
		exec_result_release(&res[i]);
		strbuf_release(&programs[i]);
	}
	assert_int_equal(c.calls, n);
	assert_int_equal(c.last, n);
	assert_true(c.monotonic);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(sandbox_processes(), 0);
	no_zombies();
	free(programs);
	free(res);
	free(jobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(isolation_level_is_reported),
		cmocka_unit_test(bad_configurations_are_usage_errors),
		cmocka_unit_test(require_isolation_refuses_the_fallback),
		cmocka_unit_test(refused_namespaces_fall_back),
		cmocka_unit_test(hostile_programs_with_namespaces),
		cmocka_unit_test(hostile_programs_in_the_fallback),
		cmocka_unit_test(hostile_programs_in_the_fallback_without_landlock),
		cmocka_unit_test(many_programs_pass_without_leaks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
