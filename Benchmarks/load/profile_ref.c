/* The same work as the console's signed-in Profile tab, written directly in C: the design's limit.
   Per request: read the session cookie, SHA-256 it, one read transaction (session JOIN account JOIN
   client; preferences), idle check, HMAC-SHA256 CSRF token, the page rendered with every value
   HTML-escaped into a fresh buffer, eight security headers, answered on the final call (keep-alive).
   Tables shaped like the console's; each libmicrohttpd thread keeps its own SQLite connection and
   prepared statements.
   usage: profile_ref PORT TEMPLATE_FILE THREADS DBFILE
   TEMPLATE_FILE: the console's own Profile page with {{name}} {{email}} {{phone}} {{company}}
   {{title}} {{csrf}} markers (made from the real page, so both answer the same bytes).

   Adapted for scripts/bench-load from ../shared/bench/profile_ref.c, which seeds a database of its own;
   this copy reads the console's, so both servers answer the same account from the same file:
   - DBFILE is the console's database, opened as it is (the original deleted the file and created
     tables shaped like the console's, seeded with 1,000 users); the start refuses with SQLite's
     message when the statements do not prepare against it, so a schema change cannot go unnoticed.
   - The cookie is the console's `clientone_session`, and its token is looked up the console's way: the
     SHA-256 of the 32 bytes the base64url token decodes to (the original hashed the token's text).
   - The eight security headers carry the console's values (the original's CSP and Referrer-Policy
     differed, and it sent Permissions-Policy where the console sends Cross-Origin-Resource-Policy). */
#include <microhttpd.h>
#include <sqlite3.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *dbfile; static unsigned char csrf_key[32];
static char *tpl; static size_t tpl_len;
static __thread sqlite3 *db; static __thread sqlite3_stmt *q_sess, *q_pref, *q_begin, *q_end;
static int first;

static void b64url(const unsigned char *in, size_t n, char *out) {
  static const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t i, o = 0;
  for (i = 0; i + 2 < n; i += 3) {
    unsigned v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
    out[o++] = a[v >> 18]; out[o++] = a[v >> 12 & 63]; out[o++] = a[v >> 6 & 63]; out[o++] = a[v & 63];
  }
  if (n - i == 1) { unsigned v = in[i] << 16; out[o++] = a[v >> 18]; out[o++] = a[v >> 12 & 63]; }
  else if (n - i == 2) { unsigned v = in[i] << 16 | in[i + 1] << 8; out[o++] = a[v >> 18]; out[o++] = a[v >> 12 & 63]; out[o++] = a[v >> 6 & 63]; }
  out[o] = 0;
}

/* the 32 bytes of a 43-character base64url token; 0 when it is not one */
static int unb64url(const char *in, unsigned char *out) {
  unsigned v = 0; int bits = 0, o = 0;
  for (int i = 0; i < 43; i++) {
    char ch = in[i]; int d;
    if (ch >= 'A' && ch <= 'Z') d = ch - 'A'; else if (ch >= 'a' && ch <= 'z') d = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') d = ch - '0' + 52; else if (ch == '-') d = 62; else if (ch == '_') d = 63; else return 0;
    v = v << 6 | (unsigned)d; bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (unsigned char)(v >> bits); }
  }
  return o == 32;
}

static int open_db(void) {
  sqlite3_open_v2(dbfile, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  sqlite3_exec(db, "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;", 0, 0, 0);
  sqlite3_prepare_v3(db, "SELECT s.id, s.last_seen_at, s.expires_at, u.id, u.name, u.email, u.phone, u.title, u.mobile, "
                         "c.name, c.billing_enabled, c.portal_enabled FROM sessions s JOIN customer_users u ON u.id = s.customer_user_id "
                         "JOIN clients c ON c.id = u.client_id WHERE s.token_hash = ?", -1, SQLITE_PREPARE_PERSISTENT, &q_sess, 0);
  sqlite3_prepare_v3(db, "SELECT in_app, ticket_status_email, ticket_reply_email, overdue_invoice_email FROM notification_preferences "
                         "WHERE customer_user_id = ?", -1, SQLITE_PREPARE_PERSISTENT, &q_pref, 0);
  sqlite3_prepare_v3(db, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &q_begin, 0);
  sqlite3_prepare_v3(db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &q_end, 0);
  return q_sess && q_pref && q_begin && q_end;
}

/* append s HTML-escaped */
static size_t esc(char *o, const char *s) {
  size_t n = 0;
  for (; s && *s; s++) switch (*s) {
    case '<': memcpy(o + n, "&lt;", 4); n += 4; break;
    case '>': memcpy(o + n, "&gt;", 4); n += 4; break;
    case '&': memcpy(o + n, "&amp;", 5); n += 5; break;
    case '"': memcpy(o + n, "&quot;", 6); n += 6; break;
    case '\'': memcpy(o + n, "&#39;", 5); n += 5; break;
    default: o[n++] = *s;
  }
  return n;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, char *body, size_t n, enum MHD_ResponseMemoryMode mode) {
  struct MHD_Response *r = MHD_create_response_from_buffer(n, body, mode);
  MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                                        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "same-origin");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
  enum MHD_Result ret = MHD_queue_response(c, status, r); MHD_destroy_response(r); return ret;
}

static enum MHD_Result h(void *cls, struct MHD_Connection *c, const char *url, const char *m, const char *v,
                         const char *ud, size_t *uds, void **rc) {
  if (*rc == NULL) { *rc = &first; return MHD_YES; }
  if (*uds) { *uds = 0; return MHD_YES; }
  if (!db && !open_db()) return MHD_NO;
  const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "clientone_session");
  unsigned char raw[32], hash[32]; unsigned hl;
  if (!tok || strlen(tok) != 43 || !unb64url(tok, raw)) return reply(c, 303, "", 0, MHD_RESPMEM_PERSISTENT);
  EVP_Digest(raw, 32, hash, &hl, EVP_sha256(), NULL);
  sqlite3_step(q_begin); sqlite3_reset(q_begin);
  sqlite3_bind_blob(q_sess, 1, hash, 32, SQLITE_STATIC);
  if (sqlite3_step(q_sess) != SQLITE_ROW) { sqlite3_reset(q_sess); sqlite3_step(q_end); sqlite3_reset(q_end);
    return reply(c, 303, "", 0, MHD_RESPMEM_PERSISTENT); }
  long long now = time(NULL);
  if (now - sqlite3_column_int64(q_sess, 1) > 1800 || now > sqlite3_column_int64(q_sess, 2) || !sqlite3_column_int(q_sess, 11)) {
    sqlite3_reset(q_sess); sqlite3_step(q_end); sqlite3_reset(q_end); return reply(c, 303, "", 0, MHD_RESPMEM_PERSISTENT); }
  sqlite3_bind_int64(q_pref, 1, sqlite3_column_int64(q_sess, 3));
  int prefs = 0;
  if (sqlite3_step(q_pref) == SQLITE_ROW) for (int i = 0; i < 4; i++) prefs |= sqlite3_column_int(q_pref, i) << i;
  unsigned char mac[32]; unsigned ml; char csrf[48];
  HMAC(EVP_sha256(), csrf_key, 32, hash, 32, mac, &ml); b64url(mac, 32, csrf);
  const char *vals[6] = {(const char *)sqlite3_column_text(q_sess, 4), (const char *)sqlite3_column_text(q_sess, 5),
                         (const char *)sqlite3_column_text(q_sess, 6), (const char *)sqlite3_column_text(q_sess, 9),
                         (const char *)sqlite3_column_text(q_sess, 7), csrf};
  static const char *marks[6] = {"{{name}}", "{{email}}", "{{phone}}", "{{company}}", "{{title}}", "{{csrf}}"};
  size_t cap = tpl_len + 4096; char *out = malloc(cap); size_t n = 0;
  for (size_t i = 0; i < tpl_len;) {
    int hit = -1;
    if (tpl[i] == '{' && i + 1 < tpl_len && tpl[i + 1] == '{')
      for (int k = 0; k < 6; k++) if (!strncmp(tpl + i, marks[k], strlen(marks[k]))) { hit = k; break; }
    if (hit >= 0) { n += esc(out + n, vals[hit]); i += strlen(marks[hit]); }
    else {
      const char *nx = memchr(tpl + i + 1, '{', tpl_len - i - 1); size_t run = nx ? (size_t)(nx - tpl - i) : tpl_len - i;
      memcpy(out + n, tpl + i, run); n += run; i += run;
    }
  }
  (void)prefs;
  sqlite3_reset(q_pref); sqlite3_reset(q_sess); sqlite3_step(q_end); sqlite3_reset(q_end);
  return reply(c, 200, out, n, MHD_RESPMEM_MUST_FREE);
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: profile_ref PORT TEMPLATE THREADS DBFILE\n"); return 2; }
  FILE *f = fopen(argv[2], "rb"); if (!f) return 2;
  fseek(f, 0, SEEK_END); tpl_len = ftell(f); rewind(f); tpl = malloc(tpl_len); fread(tpl, 1, tpl_len, f); fclose(f);
  dbfile = argv[4]; RAND_bytes(csrf_key, 32);
  if (!open_db()) { fprintf(stderr, "profile_ref: %s does not have the console's tables: %s\n", dbfile, sqlite3_errmsg(db)); return 2; }
  sqlite3_finalize(q_sess); sqlite3_finalize(q_pref); sqlite3_finalize(q_begin); sqlite3_finalize(q_end); sqlite3_close(db); db = NULL;
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)atoi(argv[1]),
      NULL, NULL, &h, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[3]), MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
  if (!d) return 1;
  printf("ready\n"); fflush(stdout);
  pause(); return 0;
}
