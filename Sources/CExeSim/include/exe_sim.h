#ifndef EXE_SIM_H
#define EXE_SIM_H

/// unshare(CLONE_NEWNS), then marks every mount private so nothing this
/// process mounts is seen outside it. Returns 0 or an errno value.
int exe_sim_enter_private_mount_namespace(void);

/// mount --bind source target. Returns 0 or an errno value.
int exe_sim_bind_mount(const char *source, const char *target);

/// Mounts a fresh tmpfs (mode 0755) at target. Returns 0 or an errno value.
int exe_sim_mount_tmpfs(const char *target);

/// execv(path, argv); returns only on failure, with the errno value.
int exe_sim_exec(const char *path, char *const argv[]);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC).
int exe_sim_accept_cloexec(int fd);

/// pipe2(fds, O_CLOEXEC | O_NONBLOCK).
int exe_sim_pipe_nonblocking(int fds[2]);

/// setns(open(path), CLONE_NEWNET) on the calling thread: every process
/// it execs afterwards lives in that network namespace. Returns 0 or an
/// errno value.
int exe_sim_enter_network_namespace(const char *path);

/// A TCP socket (close-on-exec) that belongs to the network namespace at
/// `path`: the calling thread enters it, creates the socket and returns to
/// its own namespace before returning. Returns the descriptor, or -1 with
/// errno set.
int exe_sim_socket_in_network_namespace(const char *path);

#endif
