#ifndef EXE_CLIBSSH2_SHIM_H
#define EXE_CLIBSSH2_SHIM_H

#include <string.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <poll.h>
#include <sys/eventfd.h>

/*
 * libssh2 exposes much of its API as function-like macros, which Swift does
 * not import. These inline wrappers give them callable names.
 */

static inline LIBSSH2_CHANNEL *exe_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

/* A channel of a type no server offers: the server's OPEN_FAILURE proves it alive. */
static inline LIBSSH2_CHANNEL *exe_channel_open_probe(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "keepalive@exe.dev", sizeof("keepalive@exe.dev") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int exe_channel_exec(LIBSSH2_CHANNEL *channel, const char *command, unsigned int length) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, length);
}

static inline int exe_channel_subsystem(LIBSSH2_CHANNEL *channel, const char *name) {
    return libssh2_channel_process_startup(channel, "subsystem", sizeof("subsystem") - 1,
                                           name, (unsigned int)strlen(name));
}

static inline int exe_channel_shell(LIBSSH2_CHANNEL *channel) {
    return libssh2_channel_process_startup(channel, "shell", sizeof("shell") - 1, NULL, 0);
}

static inline int exe_channel_request_pty(LIBSSH2_CHANNEL *channel, const char *term,
                                          int width, int height) {
    return libssh2_channel_request_pty_ex(channel, term, (unsigned int)strlen(term), NULL, 0,
                                          width, height, 0, 0);
}

static inline int exe_channel_pty_size(LIBSSH2_CHANNEL *channel, int width, int height) {
    return libssh2_channel_request_pty_size_ex(channel, width, height, 0, 0);
}

static inline ssize_t exe_channel_read(LIBSSH2_CHANNEL *channel, int stream, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, stream, buffer, length);
}

static inline ssize_t exe_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
    return libssh2_channel_write_ex(channel, 0, buffer, length);
}

static inline LIBSSH2_SFTP_HANDLE *exe_sftp_open(LIBSSH2_SFTP *sftp, const char *path,
                                                 unsigned long flags, long mode, int type) {
    return libssh2_sftp_open_ex(sftp, path, (unsigned int)strlen(path), flags, mode, type);
}

static inline int exe_sftp_mkdir(LIBSSH2_SFTP *sftp, const char *path, long mode) {
    return libssh2_sftp_mkdir_ex(sftp, path, (unsigned int)strlen(path), mode);
}

static inline int exe_sftp_stat(LIBSSH2_SFTP *sftp, const char *path, int statType,
                                LIBSSH2_SFTP_ATTRIBUTES *attributes) {
    return libssh2_sftp_stat_ex(sftp, path, (unsigned int)strlen(path), statType, attributes);
}

static inline int exe_sftp_rename(LIBSSH2_SFTP *sftp, const char *source, const char *destination, long flags) {
    return libssh2_sftp_rename_ex(sftp, source, (unsigned int)strlen(source),
                                  destination, (unsigned int)strlen(destination), flags);
}

static inline int exe_sftp_unlink(LIBSSH2_SFTP *sftp, const char *path) {
    return libssh2_sftp_unlink_ex(sftp, path, (unsigned int)strlen(path));
}

static inline int exe_sftp_rmdir(LIBSSH2_SFTP *sftp, const char *path) {
    return libssh2_sftp_rmdir_ex(sftp, path, (unsigned int)strlen(path));
}

static inline int exe_sftp_close(LIBSSH2_SFTP_HANDLE *handle) {
    return libssh2_sftp_close_handle(handle);
}

static inline int exe_sftp_fstat(LIBSSH2_SFTP_HANDLE *handle, LIBSSH2_SFTP_ATTRIBUTES *attributes, int set) {
    return libssh2_sftp_fstat_ex(handle, attributes, set);
}

static inline int exe_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

/* POLLRDHUP needs _GNU_SOURCE, which Swift does not define. */
static inline short exe_pollrdhup(void) { return 0x2000; }

static inline int exe_block_inbound(void) { return LIBSSH2_SESSION_BLOCK_INBOUND; }
static inline int exe_block_outbound(void) { return LIBSSH2_SESSION_BLOCK_OUTBOUND; }

#endif
