// A libFuzzer front end for .NET fuzz targets that call SharpFuzz's Fuzzer.LibFuzzer.Run.
//
// libFuzzer (clang -fsanitize=fuzzer) owns the main loop: it mutates inputs, keeps the corpus and
// writes crash/timeout artifacts. The code under test runs in a child .NET process, started once
// and kept for every input. The two talk the way SharpFuzz's LibFuzzer.Run expects (SharpFuzz
// 2.3.0, Linux):
//   - one System V shared memory segment: the first 64 KiB are the coverage map that SharpFuzz's
//     instrumentation bumps (map[cur ^ prev]++ at every branch), the input bytes follow it;
//   - its id in __LIBFUZZER_SHM_ID, and two pipes whose descriptor numbers are in
//     __LIBFUZZER_CONTROL_PIPE_ID (we write an int32 input length) and
//     __LIBFUZZER_STATUS_PIPE_ID (the child writes an int32: 0 when ready and after a clean run,
//     non-zero after an exception escaped the target, and then exits).
// After each run the map is copied into libFuzzer's "extra counters", so libFuzzer sees the .NET
// edges as its own coverage. An exception, or a child that dies (a stack overflow, FailFast), is
// turned into abort(), which libFuzzer reports as a crash and saves the input for.
//
// The child is whatever OC_FUZZ_COMMAND says, run by /bin/sh (fuzz/run.sh sets it). Built by
// fuzz/run.sh: clang -fsanitize=fuzzer -O2 oc-fuzz-driver.c. This file is OC's own code.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_SIZE (1 << 16)
// The most input bytes the segment holds; fuzz/run.sh passes a smaller -max_len.
#define MAX_INPUT (1 << 20)

// libFuzzer reads every byte in this section as an 8-bit edge counter after each run.
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t extra_counters[MAP_SIZE];

static uint8_t *shared_memory;
static int shared_memory_id = -1;
static int control_fd = -1; // we write input lengths
static int status_fd = -1;  // we read the child's status
static pid_t child = -1;

static void die(const char *what) {
  fprintf(stderr, "oc-fuzz-driver: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int write_all(int fd, const void *data, size_t size) {
  const char *p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

static int read_all(int fd, void *data, size_t size) {
  char *p = data;
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

// The child stopped answering: say how it ended, then let libFuzzer report the input.
static void child_died(const char *when) {
  int status = 0;
  if (child > 0 && waitpid(child, &status, 0) == child) {
    if (WIFSIGNALED(status))
      fprintf(stderr, "oc-fuzz-driver: the .NET process died %s (signal %d)\n", when, WTERMSIG(status));
    else
      fprintf(stderr, "oc-fuzz-driver: the .NET process exited %s (code %d)\n", when, WEXITSTATUS(status));
  } else {
    fprintf(stderr, "oc-fuzz-driver: lost the .NET process %s\n", when);
  }
  child = -1;
}

static void stop_child(void) {
  if (child > 0) kill(child, SIGKILL);
  if (shared_memory_id >= 0) shmctl(shared_memory_id, IPC_RMID, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *command = getenv("OC_FUZZ_COMMAND");
  if (command == NULL || *command == '\0') {
    fprintf(stderr, "oc-fuzz-driver: set OC_FUZZ_COMMAND to the command that starts the .NET target (fuzz/run.sh does)\n");
    exit(1);
  }

  shared_memory_id = shmget(IPC_PRIVATE, MAP_SIZE + MAX_INPUT, IPC_CREAT | IPC_EXCL | 0600);
  if (shared_memory_id < 0) die("shmget");
  shared_memory = shmat(shared_memory_id, NULL, 0);
  if (shared_memory == (void *)-1) die("shmat");
  atexit(stop_child);

  int control[2], status[2];
  if (pipe(control) != 0 || pipe(status) != 0) die("pipe");

  child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    // Never outlive the fuzzer (it may stop on a timeout or a signal without running atexit).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(1);
    close(control[1]);
    close(status[0]);
    char number[32];
    snprintf(number, sizeof number, "%d", shared_memory_id);
    setenv("__LIBFUZZER_SHM_ID", number, 1);
    snprintf(number, sizeof number, "%d", control[0]);
    setenv("__LIBFUZZER_CONTROL_PIPE_ID", number, 1);
    snprintf(number, sizeof number, "%d", status[1]);
    setenv("__LIBFUZZER_STATUS_PIPE_ID", number, 1);
    // libFuzzer writes to stderr; so does the target.
    dup2(2, 1);
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    perror("oc-fuzz-driver: exec /bin/sh");
    _exit(127);
  }
  close(control[0]);
  close(status[1]);
  control_fd = control[1];
  status_fd = status[0];
  fcntl(control_fd, F_SETFD, FD_CLOEXEC);
  fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  // A write to a child that died must fail with EPIPE, not kill us before we can report it.
  signal(SIGPIPE, SIG_IGN);

  int32_t ready = -1;
  if (read_all(status_fd, &ready, sizeof ready) != 0 || ready != 0) {
    child_died("while starting");
    fprintf(stderr, "oc-fuzz-driver: the target did not start; run OC_FUZZ_COMMAND by hand to see why\n");
    exit(1);
  }
  // Both processes are attached now: the segment goes away when the last one detaches.
  shmctl(shared_memory_id, IPC_RMID, NULL);
  shared_memory_id = -1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_INPUT) return 0;
  if (child < 0) abort();
  memset(shared_memory, 0, MAP_SIZE);
  memcpy(shared_memory + MAP_SIZE, data, size);

  int32_t length = (int32_t)size;
  int32_t status = -1;
  if (write_all(control_fd, &length, sizeof length) != 0 || read_all(status_fd, &status, sizeof status) != 0) {
    child_died("on this input");
    abort();
  }
  memcpy(extra_counters, shared_memory, MAP_SIZE);
  if (status != 0) {
    fprintf(stderr, "oc-fuzz-driver: the .NET target failed on this input (status %d; its exception is above)\n", status);
    abort();
  }
  return 0;
}
