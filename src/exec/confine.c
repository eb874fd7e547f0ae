/*
 * What the program's process does to itself between fork and execve:
 * drop privileges, restrict the file system, network and signals with
 * Landlock, and install seccomp filters. Runs in a child of the
 * single-threaded runner, so allocating is safe; errors are returned as
 * errno values with the failed step named for the run's detail message.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "exec/runner.h"
#include "util/banned.h"

/* Landlock's ABI, defined here because the installed kernel headers may
 * be older than the kernel the evaluator runs on. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_ABI1_ALL ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER (1ULL << 13)          /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)       /* ABI 3 */
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

static long ll_create_ruleset(const struct ll_ruleset_attr *attr, size_t size, uint32_t flags)
{
#ifdef SYS_landlock_create_ruleset
	return syscall(SYS_landlock_create_ruleset, attr, size, flags);
#else
	(void)attr;
	(void)size;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

int landlock_abi_version(void)
{
	long v = ll_create_ruleset(NULL, 0, LL_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

int seccomp_available(void)
{
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
}

static int fail(char *step, size_t size, const char *what, int err)
{
	snprintf(step, size, "%s", what);
	return err ? err : EIO;
}

/* ---- privileges ---- */

static int drop_bounding_set(void)
{
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			return errno;
		}
	}
	return 0;
}

static int clear_capabilities(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return errno;
	return 0;
}

int confine_privileges(const struct runner_spec *spec, char *step, size_t size)
{
	int e;

	if (spec->as_nobody) {
		/* uid_map maps only EXEC_INNER_UID: switching to it leaves the
		 * evaluator's uid (root) behind; execve then drops the
		 * capabilities we still hold in the namespace. */
		if (setgroups(0, NULL) < 0)
			return fail(step, size, "setgroups", errno);
		if (setresgid(EXEC_INNER_UID, EXEC_INNER_UID, EXEC_INNER_UID) < 0)
			return fail(step, size, "setresgid", errno);
		if (setresuid(EXEC_INNER_UID, EXEC_INNER_UID, EXEC_INNER_UID) < 0)
			return fail(step, size, "setresuid", errno);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(step, size, "no_new_privs", errno);
	if (!spec->namespaces && geteuid() == 0) {
		/* Root without namespaces: keep uid 0 (the interpreter may live
		 * in root's home) but make execve grant no capability. */
		unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
				     SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
				     SECBIT_KEEP_CAPS_LOCKED;
		if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
			return fail(step, size, "securebits", errno);
		if ((e = drop_bounding_set()))
			return fail(step, size, "capability bounding set", e);
	} else {
		/* In our user namespace: best effort, execve drops them anyway. */
		(void)drop_bounding_set();
	}
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if ((e = clear_capabilities()))
		return fail(step, size, "capset", e);
	return 0;
}

/* ---- Landlock ---- */

static int add_rule(int ruleset, const char *path, uint64_t dir_access, uint64_t file_access,
		    uint64_t handled, char *step, size_t size)
{
	struct ll_path_beneath_attr rule;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);
	int e = 0;

	if (fd < 0)
		return 0; /* nothing to allow */
	if (fstat(fd, &st) < 0) {
		e = errno;
		goto out;
	}
	memset(&rule, 0, sizeof(rule));
	rule.parent_fd = fd;
	rule.allowed_access = (S_ISDIR(st.st_mode) ? dir_access : file_access) & handled;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		goto out;
	if (rule.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0)
		e = errno;
out:
	close(fd);
	if (e)
		snprintf(step, size, "landlock rule for %s", path);
	return e;
}

int confine_landlock(const struct runner_spec *spec, char *step, size_t size)
{
	struct ll_ruleset_attr attr;
	size_t attr_size = sizeof(uint64_t);
	uint64_t fs, read_dir, read_file;
	int abi = spec->landlock_abi;
	int ruleset, e = 0;
	struct dirent *de;
	DIR *root;

	if (abi <= 0)
		return 0;
	memset(&attr, 0, sizeof(attr));
	fs = LL_FS_ABI1_ALL;
	if (abi >= 2)
		fs |= LL_FS_REFER;
	if (abi >= 3)
		fs |= LL_FS_TRUNCATE;
	attr.handled_access_fs = fs;
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	ruleset = (int)ll_create_ruleset(&attr, attr_size, 0);
	if (ruleset < 0)
		return fail(step, size, "landlock_create_ruleset", errno);

	/* Read-only everywhere but /proc (the process's own memory), /sys,
	 * /dev and /tmp (other runs' folders): each top-level entry but
	 * those gets its own rule, since rules cannot carve out subtrees. */
	read_dir = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
	read_file = LL_FS_EXECUTE | LL_FS_READ_FILE;
	root = opendir("/");
	if (!root) {
		e = fail(step, size, "opendir /", errno);
		goto out;
	}
	while ((de = readdir(root))) {
		static const char *const hidden[] = { ".", "..", "proc", "sys", "dev", "tmp" };
		char path[300];
		size_t i;

		for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
			if (!strcmp(de->d_name, hidden[i]))
				break;
		if (i < sizeof(hidden) / sizeof(hidden[0]))
			continue;
		snprintf(path, sizeof(path), "/%s", de->d_name);
		if ((e = add_rule(ruleset, path, read_dir, read_file, fs, step, size)))
			break;
	}
	closedir(root);
	if (e)
		goto out;
	if ((e = add_rule(ruleset, "/dev/null", 0,
			  LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE, fs, step, size)) ||
	    (e = add_rule(ruleset, "/dev/zero", 0, LL_FS_READ_FILE, fs, step, size)) ||
	    (e = add_rule(ruleset, "/dev/random", 0, LL_FS_READ_FILE, fs, step, size)) ||
	    (e = add_rule(ruleset, "/dev/urandom", 0, LL_FS_READ_FILE, fs, step, size)) ||
	    (e = add_rule(ruleset, spec->workdir, fs, fs, fs, step, size)))
		goto out;
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		e = fail(step, size, "landlock_restrict_self", errno);
out:
	close(ruleset);
	return e;
}

/* ---- seccomp ---- */

/* Refused everywhere (EPERM): debugging other processes, reading their
 * memory, changing mounts or namespaces, kernel keyrings, BPF, io_uring
 * (its requests bypass seccomp), modules and the like. */
static const char *const denied_syscalls[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
	"mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
	"move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "acct", "open_by_handle_at", "name_to_handle_at",
	"iopl", "ioperm", "quotactl", "syslog", "uselib", "vhangup", "fanotify_init",
	"lookup_dcookie", "settimeofday", "clock_settime", "clock_adjtime",
	"pidfd_send_signal", "pidfd_getfd", "tkill",
};

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
	       const struct scmp_arg_cmp *cmp, char *step, size_t size)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc < 0) {
		snprintf(step, size, "seccomp rule for %s", name);
		return -rc;
	}
	return 0;
}

static int load_blocklist(const struct runner_spec *spec, char *step, size_t size)
{
	static const uint64_t ns_flags[] = { CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET,
					     CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	struct scmp_arg_cmp cmp;
	int e = 0, rc;

	if (!ctx)
		return fail(step, size, "seccomp_init", ENOMEM);
	for (size_t i = 0; i < sizeof(denied_syscalls) / sizeof(denied_syscalls[0]) && !e; i++)
		e = add(ctx, SCMP_ACT_ERRNO(EPERM), denied_syscalls[i], 0, NULL, step, size);
	/* glibc falls back to clone when clone3 is missing; clone's flags
	 * can be checked, clone3's (in memory) cannot. */
	if (!e)
		e = add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, step, size);
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]) && !e; i++) {
		cmp = (struct scmp_arg_cmp){ 0, SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i] };
		e = add(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &cmp, step, size);
	}
	/* Sockets: none in the fallback (the host's network, loopback and
	 * Unix sockets included); with namespaces only IPv4 and IPv6, which
	 * reach nothing in the empty network namespace (Unix sockets could
	 * reach the host's daemons through the file system). */
	if (!e && !spec->namespaces) {
		e = add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 0, NULL, step, size);
	} else if (!e) {
		cmp = (struct scmp_arg_cmp){ 0, SCMP_CMP_LT, AF_INET, 0 };
		e = add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &cmp, step, size);
		cmp = (struct scmp_arg_cmp){ 0, SCMP_CMP_GT, AF_INET6, 0 };
		if (!e)
			e = add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &cmp, step, size);
		for (uint64_t af = AF_INET + 1; af < AF_INET6 && !e; af++) {
			cmp = (struct scmp_arg_cmp){ 0, SCMP_CMP_EQ, af, 0 };
			e = add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &cmp, step, size);
		}
	}
	if (!e && (rc = seccomp_load(ctx)) < 0)
		e = fail(step, size, "seccomp_load", -rc);
	seccomp_release(ctx);
	return e;
}

/*
 * The signal filter of the fallback, written as raw BPF because it needs
 * "not one of these values", which libseccomp cannot say about a single
 * argument. The targets are compared as 32-bit ints, as the kernel reads
 * them. Without Landlock's signal scoping only the program's own pid, its
 * own process group and 0 may be signalled; with it (the kernel then
 * refuses anything outside the sandbox) only -1, the runner and the
 * evaluator are refused here, as a second line.
 */
enum { TO_NEXT, TO_ALLOW, TO_DENY, TO_PID, TO_TGID };

struct bpf_builder {
	struct sock_filter insn[48];
	int target[48][2]; /* jt, jf labels before fixup */
	unsigned n;
	unsigned label[5];
};

static void emit(struct bpf_builder *b, uint16_t code, uint32_t k, int jt, int jf)
{
	b->insn[b->n] = (struct sock_filter){ code, 0, 0, k };
	b->target[b->n][0] = jt;
	b->target[b->n][1] = jf;
	b->n++;
}

static void mark(struct bpf_builder *b, int label)
{
	b->label[label] = b->n;
}

static void fixup(struct bpf_builder *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (BPF_CLASS(b->insn[i].code) != BPF_JMP)
			continue;
		for (int j = 0; j < 2; j++) {
			int t = b->target[i][j];
			unsigned off = t == TO_NEXT ? 0 : b->label[t] - i - 1;

			if (j == 0)
				b->insn[i].jt = (uint8_t)off;
			else
				b->insn[i].jf = (uint8_t)off;
		}
	}
}

static int load_signal_filter(const struct runner_spec *spec, pid_t runner, char *step, size_t size)
{
	const uint32_t arg0 = (uint32_t)offsetof(struct seccomp_data, args[0])
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			      + 4
#endif
		;
	const int scoped = spec->landlock_abi >= 6;
	const uint32_t self = (uint32_t)getpid();
	struct bpf_builder b;
	struct sock_fprog prog;

	memset(&b, 0, sizeof(b));
	emit(&b, BPF_LD | BPF_W | BPF_ABS, (uint32_t)offsetof(struct seccomp_data, arch), 0, 0);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), TO_NEXT, TO_ALLOW);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, (uint32_t)offsetof(struct seccomp_data, nr), 0, 0);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, TO_PID, TO_NEXT);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigqueueinfo, TO_PID, TO_NEXT);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, TO_TGID, TO_NEXT);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_tgsigqueueinfo, TO_TGID, TO_ALLOW);

	mark(&b, TO_PID);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, arg0, 0, 0);
	if (scoped) {
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)-1, TO_DENY, TO_NEXT);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)runner, TO_DENY, TO_NEXT);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)spec->evaluator_pid, TO_DENY, TO_ALLOW);
	} else {
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 0, TO_ALLOW, TO_NEXT);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, self, TO_ALLOW, TO_NEXT);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)0 - self, TO_ALLOW, TO_DENY);
	}

	mark(&b, TO_TGID);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, arg0, 0, 0);
	if (scoped) {
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)runner, TO_DENY, TO_NEXT);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)spec->evaluator_pid, TO_DENY, TO_ALLOW);
	} else {
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, self, TO_ALLOW, TO_DENY);
	}

	mark(&b, TO_ALLOW);
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	mark(&b, TO_DENY);
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA), 0, 0);
	fixup(&b);

	prog.len = (unsigned short)b.n;
	prog.filter = b.insn;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return fail(step, size, "seccomp signal filter", errno);
	return 0;
}

int confine_seccomp(const struct runner_spec *spec, pid_t runner, char *step, size_t size)
{
	int e = load_blocklist(spec, step, size);

	/* With a PID namespace nothing outside is visible to signal. */
	if (!e && !spec->namespaces)
		e = load_signal_filter(spec, runner, step, size);
	return e;
}
