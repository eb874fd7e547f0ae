/*
 * Inside the executor: the runner process that supervises one program
 * (runner.c), the confinement the program's process puts on itself
 * before it starts the interpreter (confine.c), and the Python harness
 * around the program (harness.c). Only the evaluator's side (probe.c,
 * run.c: sandbox.h) uses this header.
 *
 * Processes of one run: the evaluator forks the runner R. With namespaces,
 * R enters new namespaces and forks P, init of the new PID namespace,
 * which sets up the mounts and forks C; without, R is a child subreaper
 * and forks C itself. C confines itself and executes the interpreter. R
 * enforces the deadline, kills and reaps the tree and writes one struct
 * runner_report on its status pipe.
 */
#ifndef IE_EXEC_RUNNER_H
#define IE_EXEC_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Descriptors the harness knows by number: the program (preceded by the
 * token) to read and close, and the pipe to write the token on. */
#define EXEC_PROGRAM_FD 3
#define EXEC_TOKEN_FD 1000
#define EXEC_TOKEN_LEN 32

/* The uid (inside and outside) programs run as when the evaluator is root
 * and namespaces are used. */
#define EXEC_SANDBOX_UID 65534
#define EXEC_INNER_UID 1000

#define EXEC_MAX_EXPOSE 4

enum runner_kill {
	RUNNER_NOT_KILLED,
	RUNNER_KILLED_DEADLINE,
	RUNNER_KILLED_OUTPUT,    /* the evaluator asked: too much output */
	RUNNER_KILLED_ABANDONED, /* the evaluator closed the control socket */
};

struct runner_spec {
	int namespaces;          /* 1: namespaces, 0: the fallback */
	int as_nobody;           /* namespaces, evaluator is root: map the
	                          * program to EXEC_SANDBOX_UID */
	int landlock_abi;        /* Landlock ABI to use, 0: none */
	const char *python;      /* absolute path */
	char *const *argv;
	char *const *envp;
	const char *workdir;     /* the private folder as the program sees it */
	/* Directories the interpreter needs, made reachable for
	 * EXEC_SANDBOX_UID when their parents are not (namespaces, root). */
	const char *expose[EXEC_MAX_EXPOSE];
	size_t n_expose;
	int program_fd;          /* token + program, read from offset 0 */
	int out_fd;              /* write end, stdout and stderr */
	int token_fd;            /* write end */
	int status_fd;           /* write end, one struct runner_report */
	int ctl_fd;              /* socket: 'o' kills the run, EOF too */
	double timeout_s;
	uint64_t max_memory;
	uint64_t max_file_size;
	uint64_t tmpfs_size;
	unsigned cpu_s;
	unsigned max_open_files;
	unsigned max_procs;
	pid_t evaluator_pid;
};

struct runner_report {
	int setup_errno;         /* 0, or why the sandbox could not be set up */
	char setup_step[120];    /* which step, for the message */
	int have_status;         /* wait_status is the program's */
	int wait_status;
	int killed;              /* enum runner_kill */
	int leftovers;           /* processes the sweep could not reap */
	long wall_ms;
	long cpu_ms;
	long peak_kib;
};

/* Runs in the forked runner; writes the report and exits. */
_Noreturn void runner_main(const struct runner_spec *spec);

/* Confinement steps for C; each returns 0 or an errno value and names
 * the failed step in step. */
int confine_privileges(const struct runner_spec *spec, char *step, size_t size);
int confine_landlock(const struct runner_spec *spec, char *step, size_t size);
int confine_seccomp(const struct runner_spec *spec, pid_t runner, char *step, size_t size);

/* The Landlock ABI version the kernel offers, 0 without Landlock. */
int landlock_abi_version(void);
/* Whether seccomp filters are available. */
int seccomp_available(void);

/* The harness source passed with python -c (static storage, built on
 * first use; call once before starting threads or under a lock). */
const char *harness_source(void);

#endif
