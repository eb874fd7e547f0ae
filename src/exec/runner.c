/*
 * The runner: the process the evaluator forks for one program. It sets up
 * the namespaces (or, where the kernel refuses them, becomes a child
 * subreaper), starts the program's process, enforces the wall-clock
 * deadline, kills and reaps the whole process tree and reports on its
 * status pipe. It is forked from a possibly multi-threaded evaluator, so
 * it sticks to system calls and fixed buffers; its own children are forks
 * of a single-threaded process and may allocate.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/fsuid.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/runner.h"
#include "util/fileio.h"
#include "util/banned.h"

/* What a child that failed before execve writes on the error pipe. */
struct setup_error {
	int err;
	char step[120];
};

/* Reads up to len bytes until EOF; returns the count. */
static size_t read_upto(int fd, void *data, size_t len)
{
	char *p = data;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	       (long)(now.tv_nsec - start->tv_nsec) / 1000000;
}

static void close_range_compat(unsigned lo, unsigned hi)
{
	struct rlimit rl;

	if (lo > hi)
		return;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 65536;
	for (unsigned fd = lo; fd <= hi && fd < rl.rlim_cur; fd++)
		close((int)fd);
}

/* Closes every descriptor but the n in keep (n <= 16). */
static void close_fds_except(const int *keep, size_t n)
{
	int k[16];
	unsigned lo = 0;

	memcpy(k, keep, n * sizeof(int));
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];

			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (k[i] < 0 || (unsigned)k[i] < lo)
			continue;
		if ((unsigned)k[i] > lo)
			close_range_compat(lo, (unsigned)k[i] - 1);
		lo = (unsigned)k[i] + 1;
	}
	close_range_compat(lo, ~0U);
}

static _Noreturn void child_fail(int errfd, const char *step, int err)
{
	struct setup_error e;

	memset(&e, 0, sizeof(e));
	e.err = err ? err : EIO;
	snprintf(e.step, sizeof(e.step), "%s", step);
	(void)fd_write_all(errfd, &e, sizeof(e));
	_exit(127);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return errno;
	if (fd_write_all(fd, text, strlen(text)) < 0)
		rc = errno ? errno : EIO;
	close(fd);
	return rc;
}

/* ---- the program's process ---- */

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Threads of all processes whose real uid is uid: RLIMIT_NPROC counts
 * them, so a limit for the program alone must start from their number. */
static unsigned long count_tasks(uid_t uid)
{
	unsigned long total = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300], buf[4096];
		unsigned long ruid, threads;
		const char *u, *t;
		ssize_t n;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		u = strstr(buf, "\nUid:");
		t = strstr(buf, "\nThreads:");
		if (!u || !t)
			continue;
		ruid = strtoul(u + 5, NULL, 10);
		threads = strtoul(t + 9, NULL, 10);
		if (ruid == uid)
			total += threads;
	}
	closedir(d);
	return total;
}

static int set_limit(int resource, uint64_t soft, uint64_t hard)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) < 0)
		return errno;
	if (rl.rlim_max != RLIM_INFINITY && hard > rl.rlim_max)
		hard = rl.rlim_max;
	if (soft > hard)
		soft = hard;
	rl.rlim_cur = (rlim_t)soft;
	rl.rlim_max = (rlim_t)hard;
	return setrlimit(resource, &rl) < 0 ? errno : 0;
}

/*
 * Becomes the program: new session, descriptors in place, privileges
 * dropped, Landlock, seccomp, limits, then the interpreter. Never returns;
 * a failure is written on errfd. runner is the pid seccomp protects.
 */
static _Noreturn void child_exec(const struct runner_spec *s, int errfd, pid_t runner)
{
	int src[5], hi[5];
	char step[120];
	uint64_t nproc = s->max_procs;
	struct rlimit rl;
	int e;

	if (setsid() < 0)
		child_fail(errfd, "setsid", errno);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	reset_signals();

	/* Raise the descriptor limit to the hard one for EXEC_TOKEN_FD; the
	 * program's limit is set at the end and does not close it. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	src[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (src[0] < 0)
		child_fail(errfd, "open /dev/null", errno);
	src[1] = s->out_fd;
	src[2] = s->program_fd;
	src[3] = s->token_fd;
	src[4] = errfd;
	/* Move everything above the target numbers first, so no dup2 can
	 * overwrite a source still needed. */
	for (int i = 0; i < 5; i++) {
		hi[i] = fcntl(src[i], F_DUPFD_CLOEXEC, EXEC_TOKEN_FD + 1);
		if (hi[i] < 0)
			child_fail(errfd, "moving descriptors", errno);
	}
	errfd = hi[4];
	if (dup2(hi[0], 0) < 0 || dup2(hi[1], 1) < 0 || dup2(hi[1], 2) < 0 ||
	    dup2(hi[2], EXEC_PROGRAM_FD) < 0 || dup2(hi[3], EXEC_TOKEN_FD) < 0)
		child_fail(errfd, "dup2", errno);
	{
		int keep[] = { 0, 1, 2, EXEC_PROGRAM_FD, EXEC_TOKEN_FD, errfd };

		close_fds_except(keep, sizeof(keep) / sizeof(keep[0]));
	}
	if (chdir(s->workdir) < 0)
		child_fail(errfd, "chdir to the private folder", errno);

	/* With namespaces the count is per namespace and starts at zero;
	 * without, it is the uid's across the machine (and uid 0 is exempt). */
	if (!s->namespaces)
		nproc += count_tasks(getuid());

	if ((e = confine_privileges(s, step, sizeof(step))) ||
	    (e = confine_landlock(s, step, sizeof(step))) ||
	    (e = confine_seccomp(s, runner, step, sizeof(step))))
		child_fail(errfd, step, e);

	/* Last, once nothing here allocates any more. */
	if ((e = set_limit(RLIMIT_AS, s->max_memory, s->max_memory)))
		child_fail(errfd, "RLIMIT_AS", e);
	if ((e = set_limit(RLIMIT_CPU, s->cpu_s, (uint64_t)s->cpu_s + 1)))
		child_fail(errfd, "RLIMIT_CPU", e);
	if ((e = set_limit(RLIMIT_FSIZE, s->max_file_size, s->max_file_size)))
		child_fail(errfd, "RLIMIT_FSIZE", e);
	if ((e = set_limit(RLIMIT_NOFILE, s->max_open_files, s->max_open_files)))
		child_fail(errfd, "RLIMIT_NOFILE", e);
	if ((e = set_limit(RLIMIT_NPROC, nproc, nproc)))
		child_fail(errfd, "RLIMIT_NPROC", e);
	if ((e = set_limit(RLIMIT_CORE, 0, 0)))
		child_fail(errfd, "RLIMIT_CORE", e);
	(void)set_limit(RLIMIT_MSGQUEUE, 0, 0);
	(void)set_limit(RLIMIT_MEMLOCK, 0, 0);

	execve(s->python, s->argv, s->envp);
	child_fail(errfd, "execve of the interpreter", errno);
}

/* ---- supervision ---- */

/* Kills every direct child of parent (and its process group); returns
 * how many there were. */
static int kill_children(pid_t parent)
{
	static char buf[65536];
	char path[300];
	size_t len = 0;
	int count = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)parent, (long)parent);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read_upto(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[len] = '\0';
		for (char *p = buf, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid > 0) {
				kill((pid_t)-pid, SIGKILL);
				kill((pid_t)pid, SIGKILL);
				count++;
			}
		}
		return count;
	}

	/* Kernels without /proc/.../children: scan for the children. */
	{
		struct dirent *de;
		DIR *d = opendir("/proc");

		if (!d)
			return 0;
		while ((de = readdir(d))) {
			char stat[512];
			const char *paren;
			long ppid = 0;
			size_t n;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			n = read_upto(fd, stat, sizeof(stat) - 1);
			close(fd);
			stat[n] = '\0';
			paren = strrchr(stat, ')');
			if (paren && sscanf(paren + 1, " %*c %ld", &ppid) == 1 && ppid == parent) {
				long pid = strtol(de->d_name, NULL, 10);

				kill((pid_t)-pid, SIGKILL);
				kill((pid_t)pid, SIGKILL);
				count++;
			}
		}
		closedir(d);
		return count;
	}
}

static void kill_tree(const struct runner_spec *s, pid_t child)
{
	if (s->namespaces) {
		/* child is init of the PID namespace. Kill the program's
		 * process (and its group) first so that init reaps it and its
		 * CPU time and memory are counted: a dying init lets the
		 * kernel reap the rest without counting. supervise() kills
		 * init itself if it does not follow. */
		if (kill_children(child) == 0)
			kill(child, SIGKILL);
		return;
	}
	/* child leads the program's session and process group; sweep()
	 * gets the ones that left it. */
	kill(-child, SIGKILL);
	kill(child, SIGKILL);
}

/*
 * Waits for child (reaping any other child on the way), killing the tree
 * at the deadline or when the evaluator asks. Fills wall_ms and killed;
 * returns child's wait status.
 */
static int supervise(const struct runner_spec *s, struct runner_report *rep, int sfd,
		     pid_t child, const struct timespec *start)
{
	long deadline = (long)(s->timeout_s * 1000.0 + 0.5), killed_at = 0;
	int ctl_open = 1, killed_hard = 0;

	for (;;) {
		struct pollfd pfd[2];
		struct signalfd_siginfo si;
		int st = 0;
		pid_t r;
		long left;

		while ((r = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
			if (r == child) {
				rep->wall_ms = elapsed_ms(start);
				return st;
			}
		}
		if (r < 0 && errno == ECHILD)
			return 0; /* cannot happen: child is ours */
		left = deadline - elapsed_ms(start);
		if (!rep->killed && left <= 0) {
			rep->killed = RUNNER_KILLED_DEADLINE;
			kill_tree(s, child);
			killed_at = elapsed_ms(start);
		}
		if (rep->killed && !killed_hard && elapsed_ms(start) - killed_at > 200) {
			kill(child, SIGKILL);
			killed_hard = 1;
		}
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ctl_open ? s->ctl_fd : -1;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, rep->killed ? 50 : (int)(left < 1000 ? left : 1000)) > 0 &&
		    pfd[1].revents) {
			char c = 0;
			ssize_t n = read(s->ctl_fd, &c, 1);

			if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
				ctl_open = 0;
			if (!rep->killed && (n == 1 || !ctl_open)) {
				rep->killed = n == 1 && c == 'o' ? RUNNER_KILLED_OUTPUT
								 : RUNNER_KILLED_ABANDONED;
				kill_tree(s, child);
				killed_at = elapsed_ms(start);
			}
		}
		while (read(sfd, &si, sizeof(si)) > 0)
			;
	}
}

/*
 * As a child subreaper this process inherits every orphan of the tree.
 * Kill and reap its children until none is left: killing one re-parents
 * its own children to us for the next round, so each round goes one
 * generation deeper. Returns the number left after 5 s (0 normally).
 */
static int sweep(void)
{
	struct timespec start, pause = { 0, 1000000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int alive = kill_children(getpid());

		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		if (waitpid(-1, NULL, WNOHANG | __WALL) < 0 && errno == ECHILD)
			return 0;
		if (elapsed_ms(&start) > 5000)
			return alive ? alive : 1;
		nanosleep(&pause, NULL);
	}
}

static void read_setup_error(int fd, struct runner_report *rep)
{
	struct setup_error e;

	if (read_upto(fd, &e, sizeof(e)) == sizeof(e) && !rep->setup_errno) {
		rep->setup_errno = e.err;
		e.step[sizeof(e.step) - 1] = '\0';
		snprintf(rep->setup_step, sizeof(rep->setup_step), "%s", e.step);
	}
}

static void setup_failed(struct runner_report *rep, const char *step, int err)
{
	rep->setup_errno = err ? err : EIO;
	snprintf(rep->setup_step, sizeof(rep->setup_step), "%s", step);
}

/* ---- fallback ---- */

static void run_fallback(const struct runner_spec *s, struct runner_report *rep, int sfd)
{
	struct timespec start;
	int ep[2];
	pid_t child;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		setup_failed(rep, "PR_SET_CHILD_SUBREAPER", errno);
		return;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		setup_failed(rep, "pipe", errno);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	child = fork();
	if (child < 0) {
		setup_failed(rep, "fork", errno);
		close(ep[0]);
		close(ep[1]);
		return;
	}
	if (child == 0) {
		pid_t runner = getppid();

		close(ep[0]);
		close(sfd);
		close(s->status_fd);
		close(s->ctl_fd);
		child_exec(s, ep[1], runner);
	}
	close(ep[1]);
	close(s->program_fd);
	close(s->out_fd);
	close(s->token_fd);
	rep->wait_status = supervise(s, rep, sfd, child, &start);
	rep->have_status = 1;
	rep->leftovers = sweep();
	read_setup_error(ep[0], rep);
	close(ep[0]);
}

/* ---- namespaces ---- */

/* The helper that writes the uid and gid maps of its parent (which has
 * just entered a new user namespace) from the parent namespace, where
 * mapping another uid than one's own is allowed to root. */
static _Noreturn void map_helper(pid_t target, int go, int back)
{
	char path[64], map[64];
	int err = 0;
	char c;

	if (read_upto(go, &c, 1) != 1)
		_exit(0);
	snprintf(map, sizeof(map), "%d %d 1\n", EXEC_INNER_UID, EXEC_SANDBOX_UID);
	snprintf(path, sizeof(path), "/proc/%ld/uid_map", (long)target);
	err = write_file(path, map);
	if (!err) {
		snprintf(path, sizeof(path), "/proc/%ld/gid_map", (long)target);
		err = write_file(path, map);
	}
	(void)fd_write_all(back, &err, sizeof(err));
	_exit(0);
}

static int enter_namespaces(const struct runner_spec *s, struct runner_report *rep)
{
	/* The mount namespace is init's own (setup_mounts): the runner keeps
	 * the host's /proc to find the program's processes. */
	const int flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int go[2] = { -1, -1 }, back[2] = { -1, -1 };
	pid_t helper = -1;
	char map[64];
	int err = 0;

	if (uid == 0)
		(void)setgroups(0, NULL); /* root's groups must not come along */
	if (s->as_nobody) {
		if (pipe2(go, O_CLOEXEC) < 0 || pipe2(back, O_CLOEXEC) < 0) {
			setup_failed(rep, "pipe", errno);
			return -1;
		}
		helper = fork();
		if (helper < 0) {
			setup_failed(rep, "fork", errno);
			return -1;
		}
		if (helper == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			close(go[1]); /* or it would never see EOF on go[0] */
			close(back[0]);
			map_helper(getppid(), go[0], back[1]);
		}
		close(go[0]);
		close(back[1]);
	}
	if (unshare(flags) < 0) {
		setup_failed(rep, "unshare", errno);
		err = -1;
	} else if (s->as_nobody) {
		int e = EIO;

		if (fd_write_all(go[1], "x", 1) < 0 || read_upto(back[0], &e, sizeof(e)) != sizeof(e) || e) {
			setup_failed(rep, "writing uid_map", e);
			err = -1;
		}
	} else {
		int e = write_file("/proc/self/setgroups", "deny");

		if (e && e != ENOENT) {
			setup_failed(rep, "writing setgroups", e);
			return -1;
		}
		snprintf(map, sizeof(map), "%d %ld 1\n", EXEC_INNER_UID, (long)uid);
		if ((e = write_file("/proc/self/uid_map", map))) {
			setup_failed(rep, "writing uid_map", e);
			return -1;
		}
		snprintf(map, sizeof(map), "%d %ld 1\n", EXEC_INNER_UID, (long)gid);
		if ((e = write_file("/proc/self/gid_map", map))) {
			setup_failed(rep, "writing gid_map", e);
			return -1;
		}
	}
	if (helper > 0) {
		close(go[1]);
		close(back[0]);
		while (waitpid(helper, NULL, __WALL) < 0 && errno == EINTR)
			;
	}
	return err;
}

static int mount_fail(char *step, size_t size, const char *what, const char *path, int err)
{
	int n = snprintf(step, size, "%s %s", what, path);

	if (n < 0 || (size_t)n >= size) /* a long path: the message is cut, which is fine */
		step[size - 1] = '\0';
	return err ? err : EIO;
}

/* Makes dir reachable when one of its parents is not searchable by
 * others: a tmpfs covers that parent, with the path down to dir
 * recreated in it and dir bind-mounted back (dirfd: an O_PATH descriptor
 * opened before any covering). */
static int expose(const char *dir, int dirfd, char *step, size_t size)
{
	char path[4096], opts[32], src[64];
	struct stat st;
	size_t cover = 0;

	if (strlen(dir) >= sizeof(path) || dir[0] != '/')
		return 0;
	snprintf(path, sizeof(path), "%s", dir);
	for (size_t i = 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH)) {
			cover = i;
			path[i] = '/';
			break;
		}
		path[i] = '/';
	}
	if (!cover)
		return 0;
	path[cover] = '\0';
	snprintf(opts, sizeof(opts), "size=64k,mode=755");
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return mount_fail(step, size, "mounting a tmpfs on", path, errno);
	path[cover] = '/';
	for (size_t i = cover + 1;; i++) {
		char c = path[i];

		if (c != '/' && c != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return mount_fail(step, size, "mkdir", path, errno);
		path[i] = c;
		if (!c)
			break;
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", dirfd);
	if (mount(src, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return mount_fail(step, size, "bind-mounting", dir, errno);
	return 0;
}

/* The mount namespace of the program (run in init of the new PID
 * namespace, which still sees the host's /proc). */
static int setup_mounts(const struct runner_spec *s, char *step, size_t size)
{
	static const char *const devices[] = { "null", "zero", "random", "urandom" };
	int dirfd[EXEC_MAX_EXPOSE], devfd[4];
	struct mount_attr attr;
	char path[64], src[64], opts[64];
	int e = 0;

	/* Descriptors for bind mounts must be opened in the new namespace. */
	if (unshare(CLONE_NEWNS) < 0)
		return mount_fail(step, size, "unshare", "(mount namespace)", errno);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devices[i]);
		devfd[i] = open(path, O_PATH | O_CLOEXEC);
	}
	for (size_t i = 0; i < s->n_expose; i++)
		dirfd[i] = open(s->expose[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Our own uid (root) is not mapped in the namespace: files we create
	 * from now on must belong to the one that is. */
	if (s->as_nobody) {
		(void)setfsgid(EXEC_INNER_UID);
		(void)setfsuid(EXEC_INNER_UID);
	}

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return mount_fail(step, size, "making private", "/", errno);
	for (size_t i = 0; i < s->n_expose && !e; i++)
		if (dirfd[i] >= 0)
			e = expose(s->expose[i], dirfd[i], step, size);
	if (e)
		return e;

	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
	if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return mount_fail(step, size, "making read-only", "/", errno);

	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755") < 0)
		return mount_fail(step, size, "mounting a tmpfs on", "/dev", errno);
	for (size_t i = 0; i < 4; i++) {
		int fd;

		if (devfd[i] < 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", devices[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			return mount_fail(step, size, "creating", path, errno);
		close(fd);
		snprintf(src, sizeof(src), "/proc/self/fd/%d", devfd[i]);
		if (mount(src, path, NULL, MS_BIND, NULL) < 0)
			return mount_fail(step, size, "bind-mounting", path, errno);
	}
	if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
		  NULL) < 0)
		return mount_fail(step, size, "making read-only", "/dev", errno);

	snprintf(opts, sizeof(opts), "size=%llu,mode=1777", (unsigned long long)s->tmpfs_size);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return mount_fail(step, size, "mounting a tmpfs on", "/tmp", errno);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) < 0)
		return mount_fail(step, size, "mounting a new", "/proc", errno);
	return 0;
}

/* Init of the PID namespace: mounts, starts the program, reaps orphans
 * until the program's process ends, then reports its status and exits,
 * which makes the kernel kill and reap what is left in the namespace. */
static _Noreturn void ns_init(const struct runner_spec *s, int errfd, int statusfd)
{
	char step[160];
	pid_t child;
	int e, st = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if ((e = setup_mounts(s, step, sizeof(step))))
		child_fail(errfd, step, e);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	child = fork();
	if (child < 0)
		child_fail(errfd, "fork", errno);
	if (child == 0) {
		close(statusfd);
		child_exec(s, errfd, 0);
	}
	close(errfd);
	close(s->program_fd);
	close(s->out_fd);
	close(s->token_fd);
	for (;;) {
		pid_t r = waitpid(-1, &st, __WALL);

		if (r == child)
			break;
		if (r < 0 && errno != EINTR)
			_exit(1);
	}
	(void)fd_write_all(statusfd, &st, sizeof(st));
	_exit(0);
}

static void run_namespaced(const struct runner_spec *s, struct runner_report *rep, int sfd)
{
	struct timespec start;
	int ep[2], inner[2], st;
	pid_t init;

	if (enter_namespaces(s, rep) < 0)
		return;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		setup_failed(rep, "pipe", errno);
		return;
	}
	if (pipe2(inner, O_CLOEXEC) < 0) {
		setup_failed(rep, "pipe", errno);
		close(ep[0]);
		close(ep[1]);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	init = fork();
	if (init < 0) {
		setup_failed(rep, "fork", errno);
		close(ep[0]);
		close(ep[1]);
		close(inner[0]);
		close(inner[1]);
		return;
	}
	if (init == 0) {
		close(sfd);
		close(s->status_fd);
		close(s->ctl_fd);
		close(ep[0]);
		close(inner[0]);
		ns_init(s, ep[1], inner[1]);
	}
	close(ep[1]);
	close(inner[1]);
	close(s->program_fd);
	close(s->out_fd);
	close(s->token_fd);
	(void)supervise(s, rep, sfd, init, &start);
	if (read_upto(inner[0], &st, sizeof(st)) == sizeof(st)) {
		rep->have_status = 1;
		rep->wait_status = st;
	}
	read_setup_error(ep[0], rep);
	close(ep[0]);
	close(inner[0]);
}

void runner_main(const struct runner_spec *s)
{
	struct runner_report rep;
	struct rusage ru;
	sigset_t chld;
	int sfd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != s->evaluator_pid)
		_exit(1);
	/* The evaluator's dispositions are not ours: with SIGCHLD ignored
	 * the kernel would reap our children before we see their status. */
	reset_signals();
	signal(SIGPIPE, SIG_IGN);
	{
		int keep[] = { 0, 1, 2, s->program_fd, s->out_fd, s->token_fd,
			       s->status_fd, s->ctl_fd };

		close_fds_except(keep, sizeof(keep) / sizeof(keep[0]));
	}
	memset(&rep, 0, sizeof(rep));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		setup_failed(&rep, "signalfd", errno);
	else if (s->namespaces)
		run_namespaced(s, &rep, sfd);
	else
		run_fallback(s, &rep, sfd);

	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		rep.cpu_ms = (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
			     (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
		rep.peak_kib = ru.ru_maxrss;
	}
	(void)fd_write_all(s->status_fd, &rep, sizeof(rep));
	_exit(0);
}
