/*
 * The evaluator's side of the executor (exec.h), shared by its three
 * files: probe.c finds the interpreter and self-tests the sandbox once per
 * configuration (struct sandbox), run.c runs one program (exec_run_one),
 * pool.c runs many on worker threads (exec_run_many). Only these files
 * use this header.
 */
#ifndef IE_EXEC_SANDBOX_H
#define IE_EXEC_SANDBOX_H

#include <pthread.h>
#include <sys/types.h>

#include "exec/exec.h"
#include "exec/runner.h"
#include "instructeval/error.h"

/* What one configuration's interpreter and kernel allow, found once. */
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

/*
 * Forking while another thread is inside malloc leaves the child with a
 * lock it can never take: glibc's malloc resets its locks in the child,
 * but other allocators (AddressSanitizer's among them) do not, and the
 * child allocates before it execs. So the executor's threads hold this
 * lock for reading while they may allocate, drop it while they only wait
 * (poll, read, waitpid), and a fork takes it for writing.
 */
extern pthread_rwlock_t exec_fork_guard;

/* fork() with no thread of ours inside the allocator. The caller must not
 * hold exec_fork_guard. */
pid_t exec_guarded_fork(void);

/* IE_EUSAGE, with the reason, for a configuration the executor refuses;
 * else 0. */
int exec_config_check(const struct exec_config *cfg, struct ie_error *err);

/*
 * The sandbox for cfg, set up on first use (interpreter found, self-test
 * run); *out never changes afterwards and lives as long as the process.
 * Returns 0, or IE_EEVAL when nothing works or cfg->require_isolation
 * cannot be met (*out is set all the same). Thread-safe.
 */
int sandbox_get(const struct exec_config *cfg, const struct sandbox **out, struct ie_error *err);

/*
 * Runs job in sb, with namespaces or the fallback as namespaces says,
 * and fills *res (zeroed first; released by the caller, also after an
 * error). Returns 0 whatever the program did, IE_EEVAL when pipes,
 * folders or processes cannot be created. The self-test runs through it
 * before sb is complete.
 */
int sandbox_run(const struct sandbox *sb, int namespaces, const struct exec_config *cfg,
		const struct exec_job *job, struct exec_result *res, struct ie_error *err);

#endif
