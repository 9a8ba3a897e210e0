#ifndef PIER_CMICROHTTPD_SHIM_H
#define PIER_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_get_daemon_info and MHD_get_connection_info are C-variadic and do not import into Swift;
   these typed wrappers ask for the one field each caller needs. */

/* The port the daemon is bound to (MHD_DAEMON_INFO_BIND_PORT), or 0 when unknown. */
static inline uint16_t pier_mhd_bind_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* The client's socket address (MHD_CONNECTION_INFO_CLIENT_ADDRESS), or NULL. */
static inline const struct sockaddr *pier_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/* The pointer stored in the connection's socket context by the NOTIFY_CONNECTION callback, or NULL. */
static inline void *pier_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

/* Formats an MHD_LogCallback message; va_list handling stays in C. */
static inline int pier_mhd_format_log(char *buffer, size_t size, const char *format, va_list args) {
    return vsnprintf(buffer, size, format, args);
}
#endif
