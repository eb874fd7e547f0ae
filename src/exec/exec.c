/*
 * The evaluator's side of the executor (exec.h): finding the interpreter
 * and testing the sandbox once per process, preparing one run (token,
 * program descriptor, pipes, private folder), forking the runner, reading
 * the program's output and token while the runner supervises it, and
 * judging the result; plus the worker pool of exec_run_many.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/runner.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define TAIL_LEN 512

void exec_config_init(struct exec_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_s = 3.0;
	cfg->max_memory = (uint64_t)4 << 30;
	cfg->max_file_size = (uint64_t)16 << 20;
	cfg->max_open_files = 64;
	cfg->max_procs = 64;
	cfg->capture_limit = 64 << 10;
	cfg->max_output = (uint64_t)8 << 20;
	cfg->tmpfs_size = (uint64_t)64 << 20;
}

const char *exec_status_name(enum exec_status status)
{
	switch (status) {
	case EXEC_PASSED:
		return "passed";
	case EXEC_FAILED:
		return "failed";
	case EXEC_TIMEOUT:
		return "timeout";
	case EXEC_MEMORY:
		return "memory";
	case EXEC_OUTPUT_LIMIT:
		return "output_limit";
	case EXEC_SIGNAL:
		return "signal";
	case EXEC_SANDBOX_ERROR:
		return "sandbox_error";
	}
	return "unknown";
}

void exec_result_release(struct exec_result *res)
{
	free(res->output);
	res->output = NULL;
	res->output_len = 0;
}

/* ---- the interpreter and the self-test, once per configuration ---- */

struct sandbox {
	char *requested;        /* cfg->python, or NULL for python3 on PATH */
	int no_namespaces;
	int no_landlock;
	char *interp;           /* absolute path of the interpreter */
	char *expose[EXEC_MAX_EXPOSE];
	size_t n_expose;
	int namespaces;         /* what the self-test found */
	int landlock_abi;
	char isolation[64];
	char why[256];          /* why not namespaces, or "" */
	char error[512];        /* why nothing works, or "" */
};

static pthread_mutex_t sandbox_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Forking while another thread is inside malloc leaves the child with a
 * lock it can never take: glibc's malloc resets its locks in the child,
 * but other allocators (AddressSanitizer's among them) do not, and the
 * child allocates before it execs. So the threads of this file hold this
 * lock for reading while they may allocate, drop it while they only wait
 * (poll, read, waitpid), and a fork takes it for writing.
 */
static pthread_rwlock_t fork_guard = PTHREAD_RWLOCK_INITIALIZER;

/* fork() with no thread of ours inside the allocator. The caller must not
 * hold fork_guard. */
static pid_t guarded_fork(void)
{
	pid_t pid;

	pthread_rwlock_wrlock(&fork_guard);
	pid = fork();
	if (pid != 0)
		pthread_rwlock_unlock(&fork_guard);
	return pid;
}
static struct sandbox *sandboxes[8];
static size_t n_sandboxes;

/* Runs argv[0] with stdout captured in out (NUL-terminated); returns 0
 * when it exited 0 within 10 s. */
static int capture(char *const argv[], char *out, size_t size)
{
	struct timespec start, now;
	size_t len = 0;
	int p[2], st = 0;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = guarded_fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = 10000 - ((long)(now.tv_sec - start.tv_sec) * 1000 +
			      (long)(now.tv_nsec - start.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&pfd, 1, (int)ms) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(p[0], out + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == size - 1)
			break;
	}
	out[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static char *find_on_path(const char *name)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char *dir = n ? xstrndup(path, n) : xstrdup(".");
		char *full = path_join(dir, name);
		struct stat st;

		free(dir);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
			return full;
		free(full);
		path += n;
		if (*path == ':')
			path++;
	}
	return NULL;
}

/* Whether a is b or a folder above b. */
static int path_within(const char *b, const char *a)
{
	size_t n = strlen(a);

	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/' || (n == 1 && a[0] == '/'));
}

static void add_expose(struct sandbox *sb, const char *dir)
{
	char real[PATH_MAX];

	if (!dir[0] || !realpath(dir, real))
		return;
	for (size_t i = 0; i < sb->n_expose; i++) {
		if (path_within(real, sb->expose[i]))
			return;
		if (path_within(sb->expose[i], real)) {
			free(sb->expose[i]);
			sb->expose[i] = xstrdup(real);
			return;
		}
	}
	if (sb->n_expose < EXEC_MAX_EXPOSE)
		sb->expose[sb->n_expose++] = xstrdup(real);
}

/*
 * Finds the interpreter: the configured path, else python3 on PATH. The
 * one found on PATH may be a shim (pyenv, asdf) that would not work in
 * the scrubbed environment, so it is asked for sys.executable; the
 * prefixes it reports are the folders the sandbox must keep reachable.
 */
static int resolve_python(struct sandbox *sb)
{
	static const char query[] =
		"import os, sys\n"
		"for v in (sys.executable, sys.prefix, sys.exec_prefix, sys.base_prefix,\n"
		"          sys.base_exec_prefix):\n"
		"    print(v)\n";
	char out[8192], *line, *next;
	char *found = find_on_path(sb->requested ? sb->requested : "python3");
	char *argv[] = { found, (char *)"-I", (char *)"-c", (char *)query, NULL };
	int first = 1;

	if (!found) {
		snprintf(sb->error, sizeof(sb->error),
			 "cannot find the Python interpreter '%s' %s; install python3 or set the "
			 "interpreter path",
			 sb->requested ? sb->requested : "python3",
			 sb->requested && strchr(sb->requested, '/') ? "" : "on PATH");
		return -1;
	}
	if (capture(argv, out, sizeof(out)) < 0) {
		snprintf(sb->error, sizeof(sb->error), "'%s -I -c ...' does not run", found);
		free(found);
		return -1;
	}
	for (line = out; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (first && !sb->requested && line[0] == '/' && access(line, X_OK) == 0)
			sb->interp = xstrdup(line);
		else if (!first)
			add_expose(sb, line);
		if (first && line[0] == '/') {
			char *slash, real[PATH_MAX];

			if (realpath(line, real) && (slash = strrchr(real, '/')) && slash != real) {
				*slash = '\0';
				add_expose(sb, real);
			}
		}
		first = 0;
	}
	if (!sb->interp)
		sb->interp = found;
	else
		free(found);
	return 0;
}

static int run_internal(const struct sandbox *sb, int namespaces, const struct exec_config *cfg,
			const struct exec_job *job, struct exec_result *res, struct ie_error *err);

static void describe(const struct exec_result *res, char *buf, size_t size)
{
	if (res->status == EXEC_SANDBOX_ERROR)
		snprintf(buf, size, "%s", res->detail);
	else
		snprintf(buf, size, "the self-test program ended with status %s: %.160s",
			 exec_status_name(res->status), res->output ? res->output : "");
}

/* Runs "pass" with namespaces and, failing that, without. */
static void self_test(struct sandbox *sb)
{
	static const char program[] = "pass\n";
	const struct exec_job job = { program, sizeof(program) - 1 };
	struct exec_config cfg;
	struct exec_result res;
	struct ie_error err;
	char why[256];

	exec_config_init(&cfg);
	cfg.timeout_s = 20;
	cfg.cpu_s = 20;
	sb->landlock_abi = sb->no_landlock ? 0 : landlock_abi_version();
	if (!seccomp_available()) {
		snprintf(sb->error, sizeof(sb->error), "the kernel has no seccomp filters");
		return;
	}
	if (sb->no_namespaces) {
		snprintf(sb->why, sizeof(sb->why), "namespaces were turned off");
	} else {
		memset(&res, 0, sizeof(res));
		if (run_internal(sb, 1, &cfg, &job, &res, &err) == 0 && res.status == EXEC_PASSED) {
			sb->namespaces = 1;
		} else {
			describe(&res, why, sizeof(why));
			snprintf(sb->why, sizeof(sb->why), "%s", why);
		}
		exec_result_release(&res);
	}
	if (!sb->namespaces) {
		memset(&res, 0, sizeof(res));
		if (run_internal(sb, 0, &cfg, &job, &res, &err) < 0) {
			snprintf(sb->error, sizeof(sb->error), "%.500s", err.msg);
		} else if (res.status != EXEC_PASSED) {
			describe(&res, why, sizeof(why));
			snprintf(sb->error, sizeof(sb->error),
				 "'%s' does not run in the sandbox: %s", sb->interp, why);
		}
		exec_result_release(&res);
	}
	snprintf(sb->isolation, sizeof(sb->isolation), "%s%s",
		 sb->namespaces ? "namespaces+seccomp" : "rlimits+seccomp",
		 sb->landlock_abi > 0 ? "+landlock" : "");
}

static int same_request(const struct sandbox *sb, const struct exec_config *cfg)
{
	if (!!sb->requested != !!cfg->python)
		return 0;
	return (!cfg->python || !strcmp(sb->requested, cfg->python)) &&
	       sb->no_namespaces == !!cfg->no_namespaces && sb->no_landlock == !!cfg->no_landlock;
}

/* The sandbox for cfg, set up on first use; the returned one never
 * changes afterwards and lives as long as the process. */
static int get_sandbox(const struct exec_config *cfg, const struct sandbox **out,
		       struct ie_error *err)
{
	struct sandbox *sb = NULL;
	int rc = 0;

	pthread_mutex_lock(&sandbox_lock);
	(void)harness_source();
	for (size_t i = 0; i < n_sandboxes && !sb; i++)
		if (same_request(sandboxes[i], cfg))
			sb = sandboxes[i];
	if (!sb) {
		sb = xcalloc(1, sizeof(*sb));
		sb->requested = cfg->python ? xstrdup(cfg->python) : NULL;
		sb->no_namespaces = !!cfg->no_namespaces;
		sb->no_landlock = !!cfg->no_landlock;
		if (resolve_python(sb) == 0)
			self_test(sb);
		if (n_sandboxes < sizeof(sandboxes) / sizeof(sandboxes[0]))
			sandboxes[n_sandboxes++] = sb;
		/* else: kept (and leaked) for this call only; eight distinct
		 * configurations in one process is already unusual. */
	}
	if (sb->error[0])
		rc = ie_error_set(err, IE_EEVAL, "%s", sb->error);
	else if (cfg->require_isolation && !sb->namespaces)
		rc = ie_error_set(err, IE_EEVAL,
				  "the sandbox cannot use namespaces (%s) and require_isolation is "
				  "set; run where unprivileged user namespaces are allowed, or "
				  "accept the fallback isolation",
				  sb->why);
	pthread_mutex_unlock(&sandbox_lock);
	*out = sb;
	return rc;
}

static int check_config(const struct exec_config *cfg, struct ie_error *err)
{
	if (!(cfg->timeout_s > 0 && cfg->timeout_s <= 86400))
		return ie_error_set(err, IE_EUSAGE, "executor timeout %g s is out of range",
				    cfg->timeout_s);
	if (cfg->max_open_files < 16)
		return ie_error_set(err, IE_EUSAGE,
				    "executor max_open_files %u is too low for Python (16 at least)",
				    cfg->max_open_files);
	if (cfg->max_memory < ((uint64_t)64 << 20))
		return ie_error_set(err, IE_EUSAGE,
				    "executor max_memory is too low for Python (64 MiB at least)");
	if (cfg->require_isolation && cfg->no_namespaces)
		return ie_error_set(err, IE_EUSAGE,
				    "executor require_isolation and no_namespaces contradict each other");
	return 0;
}

/* ---- one run ---- */

static void make_token(char *token)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[EXEC_TOKEN_LEN / 2];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort(); /* getrandom cannot fail for 16 bytes but on EINTR */
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 15];
	}
	token[EXEC_TOKEN_LEN] = '\0';
}

struct collected {
	char *out;
	size_t out_len;
	uint64_t out_total;
	char tail[TAIL_LEN];
	size_t tail_len;
	char token[64];
	size_t token_len;
	uint64_t token_total;
	struct runner_report rep;
	size_t rep_len;
	int backstop;           /* the runner had to be killed */
};

static void keep_tail(struct collected *c, const char *p, size_t n)
{
	if (n >= TAIL_LEN) {
		memcpy(c->tail, p + n - TAIL_LEN, TAIL_LEN);
		c->tail_len = TAIL_LEN;
		return;
	}
	if (c->tail_len + n > TAIL_LEN) {
		size_t drop = c->tail_len + n - TAIL_LEN;

		memmove(c->tail, c->tail + drop, c->tail_len - drop);
		c->tail_len -= drop;
	}
	memcpy(c->tail + c->tail_len, p, n);
	c->tail_len += n;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Reads output, token and report until the runner and every process of
 * the tree are gone. If the runner outlives the deadline by 10 s (a bug,
 * not something a program can cause), it is killed.
 */
static void collect(const struct exec_config *cfg, pid_t runner, int out_fd, int tok_fd,
		    int st_fd, int ctl_fd, struct collected *c)
{
	const long backstop = now_ms() + (long)(cfg->timeout_s * 1000.0) + 10000;
	long give_up = 0;
	int fds[3] = { out_fd, tok_fd, st_fd };
	int asked = 0;
	char buf[65536];

	while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
		struct pollfd pfd[3];
		long now = now_ms(), wait;

		if (!c->backstop && now >= backstop) {
			kill(runner, SIGKILL);
			c->backstop = 1;
			give_up = now + 1000;
		}
		/* Once the runner is gone every process of the tree is gone,
		 * but do not trust that forever. */
		if (fds[2] < 0 && !give_up)
			give_up = now + 1000;
		if (give_up && now >= give_up)
			break;
		wait = (give_up ? give_up : backstop) - now;
		for (int i = 0; i < 3; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, 3, (int)(wait < 1000 ? wait : 1000)) <= 0)
			continue;
		for (int i = 0; i < 3; i++) {
			ssize_t n;

			if (fds[i] < 0 || !pfd[i].revents)
				continue;
			n = read(fds[i], buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				fds[i] = -1;
				continue;
			}
			if (i == 0) {
				size_t room = cfg->capture_limit - c->out_len;
				size_t keep = (size_t)n < room ? (size_t)n : room;

				memcpy(c->out + c->out_len, buf, keep);
				c->out_len += keep;
				c->out_total += (uint64_t)n;
				keep_tail(c, buf, (size_t)n);
				if (!asked && c->out_total > cfg->max_output) {
					(void)send(ctl_fd, "o", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
					asked = 1;
				}
			} else if (i == 1) {
				size_t room = sizeof(c->token) - c->token_len;
				size_t keep = (size_t)n < room ? (size_t)n : room;

				memcpy(c->token + c->token_len, buf, keep);
				c->token_len += keep;
				c->token_total += (uint64_t)n;
			} else {
				size_t room = sizeof(c->rep) - c->rep_len;
				size_t keep = (size_t)n < room ? (size_t)n : room;

				memcpy((char *)&c->rep + c->rep_len, buf, keep);
				c->rep_len += keep;
			}
		}
	}
}

static int tail_has(const struct collected *c, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= c->tail_len; i++)
		if (!memcmp(c->tail + i, needle, n))
			return 1;
	return 0;
}

static void judge(const struct collected *c, const char *token, int runner_status,
		  struct exec_result *res)
{
	const struct runner_report *r = &c->rep;
	int st = r->wait_status;

	res->exit_code = -1;
	res->term_signal = 0;
	if (c->rep_len != sizeof(c->rep)) {
		res->status = EXEC_SANDBOX_ERROR;
		if (c->backstop)
			snprintf(res->detail, sizeof(res->detail),
				 "the runner did not finish 10 s after the deadline and was killed");
		else
			snprintf(res->detail, sizeof(res->detail),
				 "the runner ended without a report (wait status 0x%x)",
				 (unsigned)runner_status);
		return;
	}
	res->wall_ms = r->wall_ms;
	res->cpu_ms = r->cpu_ms;
	res->peak_kib = r->peak_kib;
	if (r->setup_errno) {
		res->status = EXEC_SANDBOX_ERROR;
		snprintf(res->detail, sizeof(res->detail), "sandbox setup failed at %s: %s",
			 r->setup_step, strerror(r->setup_errno));
		return;
	}
	if (r->have_status) {
		if (WIFEXITED(st))
			res->exit_code = WEXITSTATUS(st);
		else if (WIFSIGNALED(st))
			res->term_signal = WTERMSIG(st);
	} else if (r->killed) {
		res->term_signal = SIGKILL;
	}
	if (r->leftovers)
		snprintf(res->detail, sizeof(res->detail),
			 "%d processes of the program survived the sweep", r->leftovers);

	if (c->token_total == EXEC_TOKEN_LEN && !memcmp(c->token, token, EXEC_TOKEN_LEN))
		res->status = EXEC_PASSED;
	else if (r->killed == RUNNER_KILLED_DEADLINE)
		res->status = EXEC_TIMEOUT;
	else if (r->killed == RUNNER_KILLED_OUTPUT)
		res->status = EXEC_OUTPUT_LIMIT;
	else if (r->killed == RUNNER_KILLED_ABANDONED)
		res->status = EXEC_SANDBOX_ERROR;
	else if (res->term_signal == SIGXCPU)
		res->status = EXEC_TIMEOUT;
	else if (tail_has(c, "MemoryError"))
		res->status = EXEC_MEMORY;
	else if (res->term_signal)
		res->status = EXEC_SIGNAL;
	else
		res->status = EXEC_FAILED;
}

static int run_internal(const struct sandbox *sb, int namespaces, const struct exec_config *cfg,
			const struct exec_job *job, struct exec_result *res, struct ie_error *err)
{
	char token[EXEC_TOKEN_LEN + 1];
	char *private_dir = NULL, *home = NULL, *tmpdir = NULL;
	int memfd = -1, outp[2] = { -1, -1 }, tokp[2] = { -1, -1 }, stp[2] = { -1, -1 };
	int ctl[2] = { -1, -1 };
	struct collected *c = NULL;
	struct runner_spec spec;
	struct strbuf sb_home = STRBUF_INIT, sb_tmp = STRBUF_INIT;
	int rc = 0, runner_status = 0;
	pid_t runner;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	pthread_rwlock_rdlock(&fork_guard);
	make_token(token);

	memfd = memfd_create("ie-exec-program", MFD_CLOEXEC);
	if (memfd < 0) {
		rc = ie_error_set(err, IE_EEVAL, "memfd_create failed: %s", strerror(errno));
		goto out;
	}
	if (fd_write_all(memfd, token, EXEC_TOKEN_LEN) < 0 ||
	    fd_write_all(memfd, job->program, job->len) < 0 || lseek(memfd, 0, SEEK_SET) < 0) {
		rc = ie_error_set(err, IE_EEVAL, "writing the program to its memfd failed: %s",
				  strerror(errno));
		goto out;
	}
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(tokp, O_CLOEXEC) < 0 || pipe2(stp, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0) {
		rc = ie_error_set(err, IE_EEVAL, "creating the pipes of a run failed: %s",
				  strerror(errno));
		goto out;
	}
	if (!namespaces) {
		const char *base = cfg->tmp_dir ? cfg->tmp_dir : getenv("TMPDIR");
		char *tmpl = path_join(base && *base ? base : "/tmp", "ie-exec-XXXXXX");

		if (!mkdtemp(tmpl)) {
			rc = ie_error_set(err, IE_EEVAL, "cannot create a private folder '%s': %s",
					  tmpl, strerror(errno));
			free(tmpl);
			goto out;
		}
		private_dir = tmpl;
	}
	strbuf_addf(&sb_home, "HOME=%s", namespaces ? "/tmp" : private_dir);
	strbuf_addf(&sb_tmp, "TMPDIR=%s", namespaces ? "/tmp" : private_dir);
	home = sb_home.buf;
	tmpdir = sb_tmp.buf;

	{
		char *argv[] = { sb->interp, (char *)"-I", (char *)"-B", (char *)"-u", (char *)"-c",
				 (char *)harness_source(), NULL };
		char *envp[] = { (char *)"PATH=/usr/local/bin:/usr/bin:/bin", home, tmpdir,
				 (char *)"LANG=C.UTF-8", (char *)"LC_ALL=C.UTF-8",
				 (char *)"PYTHONDONTWRITEBYTECODE=1", (char *)"PYTHONIOENCODING=utf-8",
				 (char *)"PYTHONUNBUFFERED=1", (char *)"PYTHONNOUSERSITE=1", NULL };

		memset(&spec, 0, sizeof(spec));
		spec.namespaces = namespaces;
		spec.as_nobody = namespaces && geteuid() == 0;
		spec.landlock_abi = sb->landlock_abi;
		spec.python = sb->interp;
		spec.argv = argv;
		spec.envp = envp;
		spec.workdir = namespaces ? "/tmp" : private_dir;
		if (spec.as_nobody) {
			spec.n_expose = sb->n_expose;
			for (size_t i = 0; i < sb->n_expose; i++)
				spec.expose[i] = sb->expose[i];
		}
		spec.program_fd = memfd;
		spec.out_fd = outp[1];
		spec.token_fd = tokp[1];
		spec.status_fd = stp[1];
		spec.ctl_fd = ctl[1];
		spec.timeout_s = cfg->timeout_s;
		spec.max_memory = cfg->max_memory;
		spec.max_file_size = cfg->max_file_size;
		spec.tmpfs_size = cfg->tmpfs_size;
		spec.cpu_s = cfg->cpu_s ? cfg->cpu_s : (unsigned)cfg->timeout_s +
				 (cfg->timeout_s > (double)(unsigned)cfg->timeout_s) + 1;
		spec.max_open_files = cfg->max_open_files;
		spec.max_procs = cfg->max_procs;
		spec.evaluator_pid = getpid();

		pthread_rwlock_unlock(&fork_guard);
		runner = guarded_fork();
		if (runner == 0)
			runner_main(&spec);
		pthread_rwlock_rdlock(&fork_guard);
	}
	if (runner < 0) {
		rc = ie_error_set(err, IE_EEVAL, "cannot start a runner process: %s", strerror(errno));
		goto out;
	}
	close(memfd);
	close(outp[1]);
	close(tokp[1]);
	close(stp[1]);
	close(ctl[1]);
	memfd = outp[1] = tokp[1] = stp[1] = ctl[1] = -1;
	(void)fcntl(outp[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(tokp[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(stp[0], F_SETFL, O_NONBLOCK);

	c = xcalloc(1, sizeof(*c));
	c->out = xmalloc(cfg->capture_limit + 1);
	pthread_rwlock_unlock(&fork_guard); /* only waiting from here on */
	collect(cfg, runner, outp[0], tokp[0], stp[0], ctl[0], c);
	while (waitpid(runner, &runner_status, 0) < 0 && errno == EINTR)
		;
	pthread_rwlock_rdlock(&fork_guard);
	c->out[c->out_len] = '\0';
	res->output = c->out;
	res->output_len = c->out_len;
	res->output_total = c->out_total;
	c->out = NULL;
	snprintf(res->isolation, sizeof(res->isolation), "%s%s",
		 namespaces ? "namespaces+seccomp" : "rlimits+seccomp",
		 sb->landlock_abi > 0 ? "+landlock" : "");
	judge(c, token, runner_status, res);

out:
	if (memfd >= 0)
		close(memfd);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (tokp[i] >= 0)
			close(tokp[i]);
		if (stp[i] >= 0)
			close(stp[i]);
		if (ctl[i] >= 0)
			close(ctl[i]);
	}
	if (private_dir) {
		file_remove_tree(private_dir);
		free(private_dir);
	}
	strbuf_release(&sb_home);
	strbuf_release(&sb_tmp);
	if (c)
		free(c->out);
	free(c);
	pthread_rwlock_unlock(&fork_guard);
	return rc;
}

int exec_run_one(const struct exec_config *cfg, const struct exec_job *job,
		 struct exec_result *res, struct ie_error *err)
{
	const struct sandbox *sb;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = check_config(cfg, err)))
		return rc;
	if (!job->program && job->len)
		return ie_error_set(err, IE_EUSAGE, "executor job without a program");
	if ((rc = get_sandbox(cfg, &sb, err)))
		return rc;
	return run_internal(sb, sb->namespaces, cfg, job, res, err);
}

int exec_isolation(const struct exec_config *cfg, char *level, size_t size, char *why,
		   size_t why_size, struct ie_error *err)
{
	const struct sandbox *sb;
	int rc;

	if ((rc = check_config(cfg, err)) || (rc = get_sandbox(cfg, &sb, err)))
		return rc;
	snprintf(level, size, "%s", sb->isolation);
	if (why)
		snprintf(why, why_size, "%s", sb->namespaces ? "" : sb->why);
	return 0;
}

/* ---- many runs ---- */

struct pool {
	const struct exec_config *cfg;
	const struct exec_job *jobs;
	struct exec_result *results;
	size_t n, next, done;
	void (*progress)(void *data, size_t done, size_t total);
	void *data;
	pthread_mutex_t mu;
	int rc;
	struct ie_error err;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct ie_error e;
		size_t i;
		int rc;

		pthread_mutex_lock(&p->mu);
		if (p->rc || p->next >= p->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);

		e.code = 0;
		e.msg[0] = '\0';
		rc = exec_run_one(p->cfg, &p->jobs[i], &p->results[i], &e);

		pthread_mutex_lock(&p->mu);
		if (rc && !p->rc) {
			p->rc = rc;
			p->err = e;
		}
		p->done++;
		if (!rc && p->progress) { /* the caller's code may allocate */
			pthread_rwlock_rdlock(&fork_guard);
			p->progress(p->data, p->done, p->n);
			pthread_rwlock_unlock(&fork_guard);
		}
		pthread_mutex_unlock(&p->mu);
	}
}

int exec_run_many(const struct exec_config *cfg, const struct exec_job *jobs, size_t n,
		  struct exec_result *results,
		  void (*progress)(void *data, size_t done, size_t total), void *data,
		  struct ie_error *err)
{
	const struct sandbox *sb;
	struct pool p;
	pthread_t *threads;
	size_t workers, started = 0;
	int rc;

	if (n)
		memset(results, 0, n * sizeof(*results));
	if ((rc = check_config(cfg, err)) || (rc = get_sandbox(cfg, &sb, err)))
		return rc;
	if (!n)
		return 0;
	workers = cfg->workers;
	if (!workers) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		workers = cpus > 0 ? (size_t)cpus : 1;
	}
	if (workers > n)
		workers = n;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.jobs = jobs;
	p.results = results;
	p.n = n;
	p.progress = progress;
	p.data = data;
	pthread_mutex_init(&p.mu, NULL);
	threads = xcalloc(workers, sizeof(*threads));
	pthread_rwlock_rdlock(&fork_guard); /* pthread_create allocates */
	for (size_t i = 0; i < workers; i++) {
		if (pthread_create(&threads[i], NULL, worker, &p))
			break;
		started++;
	}
	pthread_rwlock_unlock(&fork_guard);
	if (!started)
		(void)worker(&p); /* no thread: run them here */
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&p.mu);
	if (p.rc) {
		if (err)
			*err = p.err;
		return p.rc;
	}
	return 0;
}
