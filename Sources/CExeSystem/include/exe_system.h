#ifndef EXE_SYSTEM_H
#define EXE_SYSTEM_H

#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np (a GNU extension Swift cannot see
/// without _GNU_SOURCE).
int exe_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// The POSIX_SPAWN_SETSID flag value.
short exe_spawn_setsid_flag(void);

/// pipe2(fds, O_CLOEXEC).
int exe_pipe_cloexec(int fds[2]);

/// The uid of the process at the other end of the connected Unix socket
/// `fd` (SO_PEERCRED), in *uid; 0 on success, -1 with errno set otherwise.
int exe_peer_uid(int fd, unsigned int *uid);

#endif
