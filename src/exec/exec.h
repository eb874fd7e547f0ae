/*
 * The executor: runs untrusted Python programs (HumanEval completions with
 * their tests) in a sandbox and reports, for each one, whether it ran to
 * its end. Each program runs in its own process tree under a dedicated
 * runner process that enforces the wall-clock deadline from outside, kills
 * the whole tree and reaps it; the evaluator only talks to the runner
 * through pipes, so it keeps running whatever a program does.
 *
 * Isolation, strongest first (decided once per process by a self-test, and
 * reported per run in exec_result.isolation):
 *
 *   "namespaces+seccomp[+landlock]": new user, PID, mount, network, IPC
 *   and UTS namespaces. The file system is read-only (readable where file
 *   permissions allow) but for a fresh tmpfs on /tmp, the program's home
 *   and working folder; /proc is a fresh read-only proc of the new PID
 *   namespace; /dev holds only null, zero, random and urandom; there is no
 *   network, not even loopback. The PID namespace's init is a small
 *   process of ours: when the program ends or the deadline passes it
 *   exits and the kernel kills everything left. When the evaluator runs
 *   as root the program runs as uid 65534, so that RLIMIT_NPROC applies
 *   (the kernel exempts uid 0), and folders others cannot search (root's
 *   home) are covered by an empty tmpfs, but for the interpreter's own
 *   folders, bind-mounted back. Landlock, where available, adds the
 *   restrictions listed for the fallback.
 *
 *   "rlimits+seccomp[+landlock]" (the fallback, when the kernel refuses
 *   namespaces): the runner is a child subreaper; the program is the
 *   leader of a new session; at its end or deadline the runner kills the
 *   process group and then every process re-parented to it (double fork
 *   plus setsid included), generation by generation, until none is left.
 *   Landlock, where the kernel has it, makes the file system read-only but
 *   for a private folder (removed after the run), hides /proc, /sys, /tmp
 *   and /dev (but null, zero, random and urandom), refuses TCP (ABI 4) and
 *   signals to any process outside the sandbox (ABI 6). seccomp refuses
 *   socket() altogether (loopback included). For kill, tgkill and
 *   rt_sigqueueinfo it allows only the targets 0, the program's own pid
 *   and its own process group when Landlock cannot scope signals (so the
 *   program cannot even signal its own children by pid); with scoping it
 *   refuses -1, the runner and the evaluator as a second line. What the
 *   fallback does not give: without Landlock the file system is protected
 *   only by file permissions; a root evaluator's program keeps uid 0
 *   (without capabilities: execve grants none) and, uid 0 being exempt,
 *   no process limit; for other uids the process limit counts the uid's
 *   processes machine-wide, so concurrent runs share it.
 *
 *   In both modes seccomp also refuses ptrace, process_vm_readv/writev,
 *   mount and namespace calls, clone with namespace flags, keyrings, BPF,
 *   perf events, userfaultfd, io_uring, tkill and pidfd_send_signal.
 *
 * Always: stdin is /dev/null; the environment holds only PATH, HOME,
 * TMPDIR, LANG, LC_ALL and a few PYTHON* settings; resource limits on
 * address space, CPU time, file size, open files, processes (where the
 * kernel enforces it) and core files; stdout and stderr go to one pipe of
 * which the first capture_limit bytes are kept and the rest counted. A
 * program that writes more than max_output bytes is killed
 * (EXEC_OUTPUT_LIMIT); below that, a long output does not change the
 * status (output_total > output_len tells it was cut).
 *
 * Passing: a harness around the program reads a per-run random token from
 * a descriptor and closes it before the program starts, runs the program
 * in a fresh thread and writes the token on a private pipe only after the
 * program's code returned without an exception. Exit status never counts:
 * sys.exit(0), os._exit(0) or exit() before the end is a failure; and a
 * program that got to its end passes even if threads it left behind keep
 * it alive until the deadline (as in the reference harness). The
 * token is held only by objects no Python code of the program can reach
 * (not in any frame of its thread, not in the main thread's frame), and an
 * audit hook refuses the usual ways around that: gc.get_objects and
 * friends, tracing, ctypes, code object construction, marshal, opening
 * anything under /proc, symlinks, and starting other programs. Residual
 * risk: the program runs in the same interpreter as the harness, so an
 * exploit of a CPython memory-safety bug, or a C extension installed
 * beside the interpreter that reads raw memory, could still find the
 * token; interpreters before Python 3.8 have no audit hooks. This stops
 * programs that exit early by accident or on purpose, and the usual
 * introspection tricks, not an attacker with an interpreter exploit.
 * Side effects on programs: they run in a thread other than the main one
 * (signal.signal fails), and cannot start other programs.
 *
 * Every sandboxed interpreter's command line contains "ie-exec:<pid>"
 * with the evaluator's pid, to find strays with ps.
 */
#ifndef IE_EXEC_H
#define IE_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "instructeval/error.h"

enum exec_status {
	EXEC_PASSED,        /* the program ran to its end */
	EXEC_FAILED,        /* it raised, exited early or was refused something */
	EXEC_TIMEOUT,       /* wall-clock deadline or CPU limit */
	EXEC_MEMORY,        /* MemoryError (address-space limit) */
	EXEC_OUTPUT_LIMIT,  /* killed after writing more than max_output bytes */
	EXEC_SIGNAL,        /* killed by a signal it raised or caused */
	EXEC_SANDBOX_ERROR, /* the sandbox could not be set up for this run */
};

struct exec_config {
	const char *python;       /* interpreter; NULL: python3 found on PATH */
	double timeout_s;         /* wall-clock deadline, 3 */
	uint64_t max_memory;      /* RLIMIT_AS in bytes, 4 GiB */
	unsigned cpu_s;           /* RLIMIT_CPU; 0: the deadline rounded up + 1 */
	uint64_t max_file_size;   /* RLIMIT_FSIZE in bytes, 16 MiB */
	unsigned max_open_files;  /* RLIMIT_NOFILE, 64 */
	unsigned max_procs;       /* processes and threads, 64 */
	size_t capture_limit;     /* output bytes kept, 64 KiB */
	uint64_t max_output;      /* output bytes before the run is killed, 8 MiB */
	uint64_t tmpfs_size;      /* size of /tmp with namespaces, 64 MiB */
	const char *tmp_dir;      /* fallback private folders; NULL: $TMPDIR or /tmp */
	unsigned workers;         /* exec_run_many; 0: one per online CPU */
	int require_isolation;    /* fail rather than run without namespaces */
	int no_namespaces;        /* use the fallback even where namespaces work */
	int no_landlock;          /* do not use Landlock (for tests) */
};

/* Fills cfg with the defaults above. */
void exec_config_init(struct exec_config *cfg);

/* One program: the full text (prompt + completion + "\n" + test + "\n" +
 * "check(" + entry_point + ")"). It may hold NUL bytes and need not be
 * valid UTF-8 (the run then fails with a syntax error). Borrowed. */
struct exec_job {
	const char *program;
	size_t len;
};

struct exec_result {
	enum exec_status status;
	int exit_code;          /* exit status of the program's main process, or -1 */
	int term_signal;        /* signal that ended it (SIGKILL at a deadline), or 0 */
	long wall_ms;           /* from the start of the process tree to its end */
	long cpu_ms;            /* user + system time of the whole tree */
	long peak_kib;          /* largest resident set of any of its processes */
	char isolation[64];     /* e.g. "namespaces+seccomp+landlock" */
	char *output;           /* first capture_limit bytes of stdout + stderr,
	                         * NUL-terminated (may hold other NULs) */
	size_t output_len;
	uint64_t output_total;  /* all bytes written, kept or not */
	char detail[256];       /* why, for EXEC_SANDBOX_ERROR; else "" */
};

/* Frees res->output; res may be zeroed or already released. */
void exec_result_release(struct exec_result *res);

/* "passed", "failed", "timeout", "memory", "output_limit", "signal",
 * "sandbox_error". */
const char *exec_status_name(enum exec_status status);

/*
 * Runs one program and fills *res (released by the caller with
 * exec_result_release, also after an error). The first call in a process
 * finds the interpreter and runs a self-test of the sandbox (about 0.1 s);
 * its outcome is kept for the life of the process.
 * Returns 0 whatever the program did; IE_EUSAGE for a bad config,
 * IE_EEVAL when no interpreter works in the sandbox, when
 * require_isolation is set and namespaces are not available, or when
 * pipes or processes cannot be created. Thread-safe.
 */
int exec_run_one(const struct exec_config *cfg, const struct exec_job *job,
		 struct exec_result *res, struct ie_error *err);

/*
 * Runs n programs with cfg->workers threads and fills results[i] for
 * jobs[i]. progress (may be NULL) is called after each program with the
 * number done so far, from the worker threads but never two at a time.
 * On an error the remaining programs are not run and their results stay
 * zeroed (status EXEC_PASSED is not meaningful then: check the return
 * value); every result must still be released.
 * Returns 0 or the first error of exec_run_one.
 */
int exec_run_many(const struct exec_config *cfg, const struct exec_job *jobs, size_t n,
		  struct exec_result *results,
		  void (*progress)(void *data, size_t done, size_t total), void *data,
		  struct ie_error *err);

/*
 * The isolation level this process reaches with cfg (runs the self-test
 * on first use) into level, e.g. "namespaces+seccomp+landlock" or
 * "rlimits+seccomp+landlock", and in why (may be NULL) the reason
 * namespaces are not used, or "". Returns 0 or the errors of exec_run_one.
 */
int exec_isolation(const struct exec_config *cfg, char *level, size_t size,
		   char *why, size_t why_size, struct ie_error *err);

#endif
