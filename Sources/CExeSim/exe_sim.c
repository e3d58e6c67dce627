#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <unistd.h>
#include "exe_sim.h"

int exe_sim_enter_private_mount_namespace(void) {
    if (unshare(CLONE_NEWNS) != 0) return errno;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return errno;
    return 0;
}

int exe_sim_bind_mount(const char *source, const char *target) {
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) return errno;
    return 0;
}

int exe_sim_mount_tmpfs(const char *target) {
    if (mount("exe-sim", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") != 0) return errno;
    return 0;
}

int exe_sim_exec(const char *path, char *const argv[]) {
    execv(path, argv);
    return errno;
}

int exe_sim_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int exe_sim_pipe_nonblocking(int fds[2]) { return pipe2(fds, O_CLOEXEC | O_NONBLOCK); }

int exe_sim_enter_network_namespace(const char *path) {
    int target = open(path, O_RDONLY | O_CLOEXEC);
    if (target < 0) return errno;
    int rc = setns(target, CLONE_NEWNET) == 0 ? 0 : errno;
    close(target);
    return rc;
}

int exe_sim_socket_in_network_namespace(const char *path) {
    int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0) return -1;
    int target = open(path, O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        int saved = errno;
        close(own);
        errno = saved;
        return -1;
    }
    int fd = -1;
    int saved = 0;
    if (setns(target, CLONE_NEWNET) == 0) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        saved = errno;
        // A thread left in the VM's namespace would put every later socket
        // of the daemon there: give up loudly rather than carry on.
        if (setns(own, CLONE_NEWNET) != 0) abort();
    } else {
        saved = errno;
    }
    close(target);
    close(own);
    errno = saved;
    return fd;
}
