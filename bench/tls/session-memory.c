// What an idle TLS connection costs inside OpenSSL, apart from the appliance: N server sessions
// configured as src/OC.Appliance/Net/Tls/OpenSslServer.cs configures them (TLS 1.3 only,
// SSL_MODE_RELEASE_BUFFERS, no tickets, no session cache, BIOs that are callbacks holding no
// buffer of their own), each after a full handshake (ECDSA P-256 certificate) and one
// application record each way, kept alive while its client is freed. Prints the CPU the server
// side of a handshake takes (SSL_new and its SSL_read_ex calls, this thread's CPU clock), the
// bytes malloc has in use per kept session, RSS per session, and what SSL_free and malloc_trim
// give back (and how long the trim takes); `no-release` leaves SSL_MODE_RELEASE_BUFFERS out; with
// `sites`, the allocation sites of what stays (OpenSSL's allocator hook gives file:line; its
// headers then add to the malloc figures, so take those from a run without it).
//
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=oc
//       -keyout /tmp/key.pem -out /tmp/cert.pem
//   gcc -O2 -o /tmp/session-memory bench/tls/session-memory.c -lssl -lcrypto   # libssl-dev
//   /tmp/session-memory 10000 /tmp/cert.pem /tmp/key.pem
//   /tmp/session-memory 1000 /tmp/cert.pem /tmp/key.pem sites
//   /tmp/session-memory 10000 /tmp/cert.pem /tmp/key.pem no-release
//
// docs/performance.md ("TLS against plaintext") has the figures.
#include <malloc.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double server_cpu_ns;

static double clock_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

// One byte queue per direction; sessions are driven one at a time, so all BIOs can share them.
typedef struct { unsigned char *data; size_t len, cap, off; } queue_t;
static queue_t to_server, to_client;

static int bio_write(BIO *b, const char *d, size_t n, size_t *written) {
    queue_t *q = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (q->len + n > q->cap) { q->cap = 2 * (q->len + n); q->data = realloc(q->data, q->cap); }
    memcpy(q->data + q->len, d, n);
    q->len += n;
    *written = n;
    return 1;
}

static int bio_read(BIO *b, char *d, size_t n, size_t *read) {
    queue_t *q = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    size_t left = q->len - q->off;
    if (left == 0) { BIO_set_retry_read(b); *read = 0; return 0; }
    if (n > left) n = left;
    memcpy(d, q->data + q->off, n);
    q->off += n;
    if (q->off == q->len) q->off = q->len = 0;
    *read = n;
    return 1;
}

static long bio_ctrl(BIO *b, int cmd, long l, void *p) { return cmd == BIO_CTRL_FLUSH; }
static int bio_create(BIO *b) { BIO_set_init(b, 1); return 1; }

// OpenSSL's allocations, each with a header that records its file:line while tracking is on.
typedef struct site { struct site *prev, *next; const char *file; int line, tracked; size_t size; } site_t;
static site_t live = { &live, &live, NULL, 0, 0, 0 };
static int tracking;

static void *hook_malloc(size_t n, const char *file, int line) {
    site_t *h = malloc(sizeof(site_t) + n);
    if (!h) return NULL;
    h->file = file; h->line = line; h->size = n; h->tracked = tracking;
    h->next = live.next; h->prev = &live; live.next->prev = h; live.next = h;
    return h + 1;
}
static void hook_free(void *p, const char *file, int line) {
    if (!p) return;
    site_t *h = (site_t *)p - 1;
    h->prev->next = h->next; h->next->prev = h->prev;
    free(h);
}
static void *hook_realloc(void *p, size_t n, const char *file, int line) {
    if (!p) return hook_malloc(n, file, line);
    void *q = hook_malloc(n, file, line);
    if (q) { size_t old = ((site_t *)p - 1)->size; memcpy(q, p, old < n ? old : n); hook_free(p, file, line); }
    return q;
}

static void print_sites(int n) {
    enum { Max = 256 };
    struct { const char *file; int line; size_t bytes; long count; } s[Max];
    int used = 0;
    size_t total = 0;
    for (site_t *h = live.next; h != &live; h = h->next) {
        if (!h->tracked) continue;
        total += h->size;
        int k = 0;
        while (k < used && !(s[k].line == h->line && strcmp(s[k].file, h->file) == 0)) k++;
        if (k == used) { if (used == Max) continue; s[used].file = h->file; s[used].line = h->line; s[used].bytes = 0; s[used].count = 0; used++; }
        s[k].bytes += h->size; s[k].count++;
    }
    for (int i = 0; i < used; i++)
        for (int j = i + 1; j < used; j++)
            if (s[j].bytes > s[i].bytes) { __typeof__(s[0]) t = s[i]; s[i] = s[j]; s[j] = t; }
    printf("bytes OpenSSL asked for and still holds, per session: %.0f; by site:\n", (double)total / n);
    for (int i = 0; i < used && i < 16; i++)
        printf("%7.0f B in %4.1f allocations  %s:%d\n", (double)s[i].bytes / n, (double)s[i].count / n, s[i].file, s[i].line);
}

static long rss_kib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) { if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0; fclose(f); }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static BIO *new_bio(BIO_METHOD *method, queue_t *q) { BIO *b = BIO_new(method); BIO_set_data(b, q); return b; }

// A full handshake and one record each way (HELLO in, WELCOME out); returns the server's SSL.
static SSL *connect_one(SSL_CTX *server, SSL_CTX *client, BIO_METHOD *method) {
    double t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    SSL *s = SSL_new(server);
    server_cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
    SSL *c = SSL_new(client);
    SSL_set_bio(s, new_bio(method, &to_server), new_bio(method, &to_client));
    SSL_set_bio(c, new_bio(method, &to_client), new_bio(method, &to_server));
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    unsigned char buffer[20000];
    size_t got = 0, written;
    for (int step = 0; step < 10 && !(SSL_is_init_finished(s) && SSL_is_init_finished(c)); step++) {
        SSL_do_handshake(c);
        t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        SSL_read_ex(s, buffer, sizeof buffer, &got);
        server_cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
    }
    SSL_write_ex(c, "HELLO from the client", 21, &written);
    SSL_read_ex(s, buffer, sizeof buffer, &got);
    SSL_write_ex(s, "WELCOME", 7, &written);
    if (SSL_read_ex(c, buffer, sizeof buffer, &got) != 1 || got != 7) { ERR_print_errors_fp(stderr); exit(1); }
    SSL_free(c);
    return s;
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "sites") != 0 && strcmp(argv[4], "no-release") != 0)) {
        fprintf(stderr, "usage: %s N CERT.pem KEY.pem [sites|no-release]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]);
    int sites = argc == 5 && strcmp(argv[4], "sites") == 0;
    int release = !(argc == 5 && strcmp(argv[4], "no-release") == 0);
    if (sites) CRYPTO_set_mem_functions(hook_malloc, hook_realloc, hook_free);

    SSL_CTX *server = SSL_CTX_new(TLS_server_method()), *client = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(server, TLS1_3_VERSION);
    SSL_CTX_set_min_proto_version(client, TLS1_3_VERSION);
    SSL_CTX_set_mode(server, (release ? SSL_MODE_RELEASE_BUFFERS : 0) | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(server, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(server, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(server, 0);
    SSL_CTX_set_session_cache_mode(client, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_use_certificate_chain_file(server, argv[2]) != 1 || SSL_CTX_use_PrivateKey_file(server, argv[3], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "callbacks");
    BIO_meth_set_write_ex(method, bio_write);
    BIO_meth_set_read_ex(method, bio_read);
    BIO_meth_set_ctrl(method, bio_ctrl);
    BIO_meth_set_create(method, bio_create);

    // Warm-up: what OpenSSL sets up once (providers, method caches) is not per connection.
    for (int i = 0; i < 50; i++) SSL_free(connect_one(server, client, method));

    server_cpu_ns = 0;
    SSL **kept = calloc(n, sizeof *kept);
    struct mallinfo2 m0 = mallinfo2();
    long r0 = rss_kib();
    tracking = 1;
    for (int i = 0; i < n; i++) kept[i] = connect_one(server, client, method);
    tracking = 0;
    struct mallinfo2 m1 = mallinfo2();
    long r1 = rss_kib();
    printf("%s, %d server sessions kept%s: malloc in use %.2f KiB per session, RSS %.2f KiB per session; server CPU per handshake %.0f us\n",
           OpenSSL_version(OPENSSL_VERSION), n, release ? "" : " (no SSL_MODE_RELEASE_BUFFERS)", (double)(m1.uordblks - m0.uordblks) / n / 1024,
           (double)(r1 - r0) / n, server_cpu_ns / n / 1000);
    if (sites) print_sites(n);

    for (int i = 0; i < n; i++) SSL_free(kept[i]);
    struct mallinfo2 m2 = mallinfo2();
    long r2 = rss_kib();
    double trim = clock_ns(CLOCK_MONOTONIC);
    malloc_trim(0);
    trim = clock_ns(CLOCK_MONOTONIC) - trim;
    long r3 = rss_kib();
    printf("all freed: malloc in use %+.0f KiB against before, RSS %+ld KiB; after malloc_trim(0) (%.1f ms) RSS %+ld KiB\n",
           ((double)m2.uordblks - (double)m0.uordblks) / 1024, r2 - r0, trim / 1e6, r3 - r0);
    return 0;
}
