/* Event storm for the proc connector benchmark: forks `count` short-lived
 * children as fast as the machine allows, each exiting at once, reaping as it
 * goes. Every child makes two connector events (fork, exit), both naming this
 * process as the parent.
 *
 *   storm COUNT   prints {"pid":P,"forks":N,"seconds":S}
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 10000;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  long forks = 0, live = 0;
  for (long i = 0; i < count; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) break;
    forks++;
    live++;
    /* Reap whatever has exited, so the process table never fills. */
    while (live > 0 && waitpid(-1, NULL, WNOHANG) > 0) live--;
  }
  while (live > 0 && waitpid(-1, NULL, 0) > 0) live--;
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("{\"pid\":%d,\"forks\":%ld,\"seconds\":%.6f}\n", (int)getpid(), forks,
         (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
  return forks == count ? 0 : 1;
}
