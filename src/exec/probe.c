/*
 * Finding the interpreter and testing the sandbox, once per configuration
 * and process (sandbox.h): the interpreter is the configured one or
 * python3 on PATH, asked for its real path and prefixes; the self-test
 * runs "pass" with namespaces and, failing that, with the fallback, and
 * its outcome decides the isolation level of every later run.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/sandbox.h"
#include "util/fileio.h"
#include "util/xalloc.h"
#include "util/banned.h"

static pthread_mutex_t sandbox_lock = PTHREAD_MUTEX_INITIALIZER;
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
	pid = exec_guarded_fork();
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
		if (sandbox_run(sb, 1, &cfg, &job, &res, &err) == 0 && res.status == EXEC_PASSED) {
			sb->namespaces = 1;
		} else {
			describe(&res, why, sizeof(why));
			snprintf(sb->why, sizeof(sb->why), "%s", why);
		}
		exec_result_release(&res);
	}
	if (!sb->namespaces) {
		memset(&res, 0, sizeof(res));
		if (sandbox_run(sb, 0, &cfg, &job, &res, &err) < 0) {
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
int sandbox_get(const struct exec_config *cfg, const struct sandbox **out, struct ie_error *err)
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

int exec_isolation(const struct exec_config *cfg, char *level, size_t size, char *why,
		   size_t why_size, struct ie_error *err)
{
	const struct sandbox *sb;
	int rc;

	if ((rc = exec_config_check(cfg, err)) || (rc = sandbox_get(cfg, &sb, err)))
		return rc;
	snprintf(level, size, "%s", sb->isolation);
	if (why)
		snprintf(why, why_size, "%s", sb->namespaces ? "" : sb->why);
	return 0;
}
