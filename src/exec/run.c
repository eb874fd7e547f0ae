/*
 * One run (exec_run_one, sandbox.h's sandbox_run): the per-run token, the
 * program in a memfd, the pipes and the private folder; the runner forked
 * to supervise the program (runner.c); the program's output, token and
 * the runner's report read until the process tree is gone; and the
 * verdict. Also the configuration's defaults and checks, and the fork
 * guard every thread of the executor respects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/sandbox.h"
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

int exec_config_check(const struct exec_config *cfg, struct ie_error *err)
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

pthread_rwlock_t exec_fork_guard = PTHREAD_RWLOCK_INITIALIZER;

pid_t exec_guarded_fork(void)
{
	pid_t pid;

	pthread_rwlock_wrlock(&exec_fork_guard);
	pid = fork();
	if (pid != 0)
		pthread_rwlock_unlock(&exec_fork_guard);
	return pid;
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

int sandbox_run(const struct sandbox *sb, int namespaces, const struct exec_config *cfg,
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
	pthread_rwlock_rdlock(&exec_fork_guard);
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

		pthread_rwlock_unlock(&exec_fork_guard);
		runner = exec_guarded_fork();
		if (runner == 0)
			runner_main(&spec);
		pthread_rwlock_rdlock(&exec_fork_guard);
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
	pthread_rwlock_unlock(&exec_fork_guard); /* only waiting from here on */
	collect(cfg, runner, outp[0], tokp[0], stp[0], ctl[0], c);
	while (waitpid(runner, &runner_status, 0) < 0 && errno == EINTR)
		;
	pthread_rwlock_rdlock(&exec_fork_guard);
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
	pthread_rwlock_unlock(&exec_fork_guard);
	return rc;
}

int exec_run_one(const struct exec_config *cfg, const struct exec_job *job,
		 struct exec_result *res, struct ie_error *err)
{
	const struct sandbox *sb;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = exec_config_check(cfg, err)))
		return rc;
	if (!job->program && job->len)
		return ie_error_set(err, IE_EUSAGE, "executor job without a program");
	if ((rc = sandbox_get(cfg, &sb, err)))
		return rc;
	return sandbox_run(sb, sb->namespaces, cfg, job, res, err);
}
