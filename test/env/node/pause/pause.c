/* The sandbox ("pause") process of every Pod on the local node: holds the Pod's namespaces, reaps
   orphans, exits on SIGINT/SIGTERM. Built static so its image needs nothing else. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

static void quit(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGINT, quit);
  signal(SIGTERM, quit);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
