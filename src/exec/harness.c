/*
 * The Python harness that runs a program and proves it ran to its end.
 *
 * It reads the per-run token and the program from EXEC_PROGRAM_FD and
 * closes it, then runs the program in a new thread started with
 * _thread.start_new_thread on a chain of C callables (functools.partial,
 * map, collections.deque): the program's first frame has no Python caller,
 * so walking f_back from any of its frames reaches only run(), whose
 * locals are the program's own source and globals. When exec() returns,
 * the chain goes on to finish(), which writes the token on EXEC_TOKEN_FD.
 * When it raises (SystemExit included), run() prints the traceback and
 * ends the process with os._exit, so the chain never goes on. The token
 * lives only in the chain, which nothing in Python refers to (the thread
 * bootstrap holds it), and the main thread drops its own references
 * before the program starts, so frames of the main thread do not hold it
 * either. The audit hook closes the remaining ways to reach the chain or
 * raw memory from Python: see exec.h for the list and the residual risk.
 *
 * Modules that programs import all the time are imported before the hook
 * is installed, while cached bytecode may still be loaded; afterwards
 * marshal is refused (a crafted .pyc is arbitrary bytecode) and
 * sys.pycache_prefix points at a folder that does not exist, so other
 * standard modules are compiled from source.
 */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "exec/runner.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* One line per element: ISO C bounds the length of a single literal. */
static const char *const harness_lines[] = {
	"def _ie_harness():",
	"    import os, sys, _thread, builtins, types, functools, collections, operator",
	"    parts = []",
	"    while True:",
	"        chunk = os.read(@PROGRAM_FD@, 1 << 20)",
	"        if not chunk:",
	"            break",
	"        parts.append(chunk)",
	"    os.close(@PROGRAM_FD@)",
	"    data = b''.join(parts)",
	"    tok, src = data[:@TOKEN_LEN@], data[@TOKEN_LEN@:]",
	"    del parts, chunk, data",
	"    for name in ('typing', 'math', 're', 'string', 'heapq', 'bisect', 'hashlib',",
	"                 'random', 'fractions', 'statistics', 'decimal', 'datetime', 'copy',",
	"                 'itertools', 'json', 'array'):",
	"        try:",
	"            __import__(name)",
	"        except Exception:",
	"            pass",
	"    try:",
	"        with open('program.py', 'wb') as f:",
	"            f.write(src)",
	"    except OSError:",
	"        pass",
	"    mod = types.ModuleType('__main__')",
	"    g = mod.__dict__",
	"    g['__builtins__'] = builtins",
	"    sys.modules['__main__'] = mod",
	"    sys.pycache_prefix = os.path.join(os.getcwd(), '.no-pycache')",
	"",
	"    def run(src, g, _exit=os._exit, show=sys.__excepthook__, sys=sys):",
	"        try:",
	"            exec(compile(src, 'program.py', 'exec'), g)",
	"        except BaseException as e:",
	"            rc = 1",
	"            try:",
	"                if isinstance(e, SystemExit):",
	"                    c = e.code",
	"                    if c is None:",
	"                        rc = 0",
	"                    elif isinstance(c, int):",
	"                        rc = int(c) & 255",
	"                    else:",
	"                        sys.stderr.write(str(c) + '\\n')",
	"                else:",
	"                    show(type(e), e, e.with_traceback(e.__traceback__.tb_next).__traceback__)",
	"            except BaseException:",
	"                pass",
	"            try:",
	"                sys.stdout.flush()",
	"            except BaseException:",
	"                pass",
	"            try:",
	"                sys.stderr.flush()",
	"            except BaseException:",
	"                pass",
	"            _exit(rc)",
	"",
	"    done = _thread.allocate_lock()",
	"    done.acquire()",
	"",
	"    def finish(tok, write=os.write, release=done.release):",
	"        try:",
	"            write(@TOKEN_FD@, tok)",
	"        except BaseException:",
	"            pass",
	"        release()",
	"",
	"    chain = functools.partial(collections.deque, map(operator.methodcaller('__call__'),",
	"        [functools.partial(run, src, g), functools.partial(finish, tok)]), 0)",
	"    del tok, src, g, mod",
	"",
	"    deny = frozenset(('gc.get_objects', 'gc.get_referrers', 'gc.get_referents',",
	"        'sys._current_frames', 'sys._current_exceptions', 'sys.settrace',",
	"        'sys.setprofile', 'code.__new__', 'marshal.load', 'marshal.loads',",
	"        'os.exec', 'os.posix_spawn', 'os.spawn', 'os.system', 'subprocess.Popen',",
	"        'os.symlink', 'os.link', 'sys.remote_exec'))",
	"    deny_prefix = ('ctypes.', 'sys.monitoring', '_ctypes')",
	"    deny_modules = frozenset(('ctypes', '_ctypes', '_testcapi', '_testinternalcapi',",
	"        '_testbuffer', '_xxsubinterpreters', '_interpreters', '_xxinterpchannels',",
	"        '_posixsubprocess', '_testmultiphase', '_testsinglephase', '_testclinic'))",
	"    realpath, fsdecode, fspath = os.path.realpath, os.fsdecode, os.fspath",
	"    chain_id = id(chain)",
	"",
	"    def hook(event, args):",
	"        if event in deny or event.startswith(deny_prefix):",
	"            raise RuntimeError('the sandbox does not allow ' + event)",
	"        if event == 'import':",
	"            if str(args[0]).partition('.')[0] in deny_modules:",
	"                raise ImportError('the sandbox does not allow importing ' + str(args[0]))",
	"        elif event == 'open' or event == 'os.chdir':",
	"            p = args[0]",
	"            if p is None or isinstance(p, int):",
	"                return",
	"            try:",
	"                p = realpath(fsdecode(fspath(p)))",
	"            except Exception:",
	"                raise PermissionError(13, 'the sandbox could not resolve the path')",
	"            if p == '/proc' or p.startswith('/proc/'):",
	"                raise PermissionError(13, 'the sandbox does not allow opening', p)",
	"        elif event == 'sys.unraisablehook':",
	"            if id(getattr(args[1], 'object', None)) == chain_id:",
	"                raise RuntimeError('the sandbox does not allow this')",
	"",
	"    for name in deny_modules:",
	"        sys.modules.pop(name, None)",
	"    if hasattr(sys, 'addaudithook'):",
	"        sys.addaudithook(hook)",
	"    _thread.start_new_thread(chain, ())",
	"    del chain",
	"    while True:",
	"        try:",
	"            done.acquire()",
	"            break",
	"        except BaseException:",
	"            pass",
	"",
	"_ie_harness()",
	"del _ie_harness",
};

static struct strbuf source = STRBUF_INIT;

static void add_expanded(struct strbuf *sb, const char *line)
{
	static const struct {
		const char *name;
		int value;
	} vars[] = {
		{ "@PROGRAM_FD@", EXEC_PROGRAM_FD },
		{ "@TOKEN_FD@", EXEC_TOKEN_FD },
		{ "@TOKEN_LEN@", EXEC_TOKEN_LEN },
	};

	while (*line) {
		size_t i, n = 0;

		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			n = strlen(vars[i].name);
			if (!strncmp(line, vars[i].name, n))
				break;
		}
		if (i < sizeof(vars) / sizeof(vars[0])) {
			strbuf_addf(sb, "%d", vars[i].value);
			line += n;
		} else {
			strbuf_addc(sb, *line++);
		}
	}
}

const char *harness_source(void)
{
	if (source.len)
		return source.buf;
	strbuf_addf(&source, "# ie-exec:%ld instructeval sandbox harness\n", (long)getpid());
	for (size_t i = 0; i < sizeof(harness_lines) / sizeof(harness_lines[0]); i++) {
		add_expanded(&source, harness_lines[i]);
		strbuf_addc(&source, '\n');
	}
	return source.buf;
}
