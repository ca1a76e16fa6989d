/* Error names and sentences, and the library version. */
#include <onebot/client.h>

#ifndef OB_VERSION_STRING
#define OB_VERSION_STRING "0.0.0"
#endif

const char *ob_strerror(int code) {
    switch (code) {
    case OB_OK: return "OB_OK: success";
    case OB_EACTION: return "OB_EACTION: the server answered status \"failed\"";
    case OB_ETIMEOUT: return "OB_ETIMEOUT: no reply within the timeout";
    case OB_ECLOSED: return "OB_ECLOSED: the connection is closed, was lost, or was never made";
    case OB_EIO: return "OB_EIO: socket, TLS or system error";
    case OB_EPROTO: return "OB_EPROTO: the peer broke the protocol (bad frame, bad JSON or wrong shape)";
    case OB_EAUTH: return "OB_EAUTH: the server refused the access token";
    case OB_EINVAL: return "OB_EINVAL: invalid argument";
    case OB_ENOMEM: return "OB_ENOMEM: out of memory";
    case OB_EUNSUPPORTED: return "OB_EUNSUPPORTED: the operation is not supported";
    case OB_EMSGSIZE: return "OB_EMSGSIZE: a message was over max_message_size";
    case OB_EPERM: return "OB_EPERM: QQ would refuse this (the bot's role in the group); nothing was sent";
    default: return "unknown error code";
    }
}

const char *ob_err_name(int code) {
    switch (code) {
    case OB_OK: return "OB_OK";
    case OB_EACTION: return "OB_EACTION";
    case OB_ETIMEOUT: return "OB_ETIMEOUT";
    case OB_ECLOSED: return "OB_ECLOSED";
    case OB_EIO: return "OB_EIO";
    case OB_EPROTO: return "OB_EPROTO";
    case OB_EAUTH: return "OB_EAUTH";
    case OB_EINVAL: return "OB_EINVAL";
    case OB_ENOMEM: return "OB_ENOMEM";
    case OB_EUNSUPPORTED: return "OB_EUNSUPPORTED";
    case OB_EMSGSIZE: return "OB_EMSGSIZE";
    case OB_EPERM: return "OB_EPERM";
    default: return "OB_E?";
    }
}

const char *ob_version(void) { return OB_VERSION_STRING; }
