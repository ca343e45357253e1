/* The ceiling for scripts/bench-load: libmicrohttpd answering every request with the same static page
   (the size of the Profile tab), on the same thread pool size as the console. Like the console, it
   answers on the access handler's final call: a response queued on the first call makes libmicrohttpd
   (0.9.75) close the connection, and a ceiling that reconnects for every request is no ceiling. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *page; static size_t page_size; static int started;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **state) {
  if (*state == NULL) { *state = &started; return MHD_YES; }   /* headers in: wait for the final call */
  if (*upload_size != 0) { *upload_size = 0; return MHD_YES; } /* (no benchmark request has a body) */
  struct MHD_Response *r = MHD_create_response_from_buffer(page_size, page, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

int main(int argc, char **argv) {
  int port = atoi(argv[1]); page_size = (size_t)atol(argv[2]); unsigned threads = (unsigned)atoi(argv[3]);
  page = malloc(page_size); memset(page, 'x', page_size);
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, answer, NULL,
                                          MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
  if (!d) { fprintf(stderr, "ceiling: could not start\n"); return 1; }
  printf("ready\n"); fflush(stdout);
  pause();
  return 0;
}
