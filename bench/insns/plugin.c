/*
 * A qemu-user TCG plugin that counts the guest instructions a process executes, for
 * bench/insns/run.mjs, which builds it with the machine's gcc (into .bench/insns/; no binary
 * is committed).
 *
 * Counting: when qemu translates a block, an inline add of the block's instruction count is
 * attached to it (no helper call, so the emulation stays fast). One counter for all guest
 * threads, added to without atomics: the probe runs V8 with --single-threaded, so Node's other
 * threads sit idle while anything is counted. Marks: when the guest makes
 * the syscall numbered `sys=N` (the runner passes umask's number for the architecture) with
 * the argument 0x7a5e0000 + k, the count so far is logged as "insns mark k COUNT"; the probe
 * makes such a call (process.umask) before and after each counted loop. At exit: "insns total
 * COUNT". Output goes through qemu's log (`-d plugin -D FILE`), apart from the guest's own
 * stdout and stderr.
 *
 * The declarations below are the few this file uses from qemu's public plugin API
 * (include/qemu/qemu-plugin.h, docs/devel/tcg-plugins.rst), written out here rather than
 * copied. API version 1 is the one qemu 7.2 (Debian bookworm's qemu-user) implements; qemu 9
 * requires version 2 and reworked the inline calls, so this targets qemu 7.2 to 8.2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t; /* only passed through */
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t id,
    void (*cb)(qemu_plugin_id_t, unsigned int, int64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t));
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);
void qemu_plugin_outs(const char *string);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

#define MARK 0x7a5e0000u
static uint64_t insns;
static int64_t mark_nr = -1;

static void log_count(const char *what, uint64_t n) {
  char line[64];
  snprintf(line, sizeof line, "insns %s %" PRIu64 "\n", what, n);
  qemu_plugin_outs(line);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, qemu_plugin_tb_n_insns(tb));
}

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  if (num != mark_nr || (a1 & 0xffffffffffff0000u) != MARK) return;
  char what[32];
  snprintf(what, sizeof what, "mark %u", (unsigned)(a1 & 0xffff));
  log_count(what, insns);
}

static void at_exit(qemu_plugin_id_t id, void *p) { log_count("total", insns); }

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (strncmp(argv[i], "sys=", 4) == 0) mark_nr = strtoll(argv[i] + 4, NULL, 10);
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  if (mark_nr >= 0) qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
