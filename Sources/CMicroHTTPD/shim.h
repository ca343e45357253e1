#ifndef CLIENTONE_CMICROHTTPD_SHIM_H
#define CLIENTONE_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Swift does not import C varargs: MHD_start_daemon is variadic, so this passes the options as one
/// MHD_OPTION_ARRAY (terminated by an MHD_OPTION_END item) instead.
static inline struct MHD_Daemon *clientone_mhd_start(unsigned int flags, uint16_t port,
                                                     MHD_AcceptPolicyCallback apc, void *apc_cls,
                                                     MHD_AccessHandlerCallback handler, void *handler_cls,
                                                     const struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, apc, apc_cls, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// MHD_get_daemon_info returns a union pointer; this reads the bound port (for `--port 0`).
static inline uint16_t clientone_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// MHD_get_connection_info is variadic; this reads the client's socket address.
static inline const struct sockaddr *clientone_mhd_client_addr(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/// MHD_get_connection_info is variadic; this reads the connection's socket (to cut off a client that
/// trickles a request past its deadline).
static inline int clientone_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/// MHD_get_connection_info is variadic; this reads the pointer set in MHD_CONNECTION_NOTIFY_STARTED.
static inline void *clientone_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}
#endif
