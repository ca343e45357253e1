#ifndef CLIENTONE_CCURL_SHIM_H
#define CLIENTONE_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift does not import: one typed wrapper
   per argument kind. */

typedef size_t (*clientone_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode clientone_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clientone_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clientone_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clientone_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clientone_curl_setopt_write_function(CURL *handle, CURLoption option, clientone_curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clientone_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
