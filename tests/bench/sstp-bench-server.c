/*
 * sstp-bench-server: a small, fast SSTP server for the throughput benchmark,
 * plus a raw-TLS load generator for the "same path without a tunnel" figure.
 *
 *   sstp-bench-server serve --listen ADDR --port P --raw-port P2 --cert PEM
 *                           --key PEM --pppd-options FILE [--pidfile FILE]
 *                           [--ocsp-plan DER1,DER2,...]
 *   sstp-bench-server raw --connect ADDR --port P2 --seconds N --direction up|down
 *
 * It is deliberately independent of plugin/ (no shared source): its own
 * SSTP framing and its own async-HDLC code, written from the protocol notes.
 * It is not a conformance checker: it does NOT verify the crypto binding in
 * Call Connected (tests/server/sstp-test-server.py does that); it accepts any
 * Call Connected and just carries PPP frames between the TLS connection and a
 * server-side pppd on a pty, answering Echo Requests and Call Disconnect.
 *
 * --ocsp-plan (for the OCSP stapling tests, where Python's ssl cannot
 * staple): the i-th SSTP connection staples the DER OCSP response in the
 * i-th file, "-" none; later connections none. The response is sent as it
 * is, even when out of date or revoked: that is what the client must judge.
 * Each accepted connection is logged on stderr as "conn=N ocsp=FILE".
 *
 * Each connection is served by a forked child. The data path is made cheap
 * in system calls, because inside user-mode-linux the server shares the one
 * virtual CPU with the client under test: big pty reads, one write per
 * batch, up to 16 KiB per TLS record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#define REC_MAX     16384
#define TLS_IN_CAP  (256 * 1024)
#define TLS_OUT_CAP (256 * 1024)
#define PTY_IN_CAP  (64 * 1024)
#define PTY_OUT_CAP (512 * 1024)
#define MAX_FRAME   4091
/* A full read from a pty's n_tty line discipline. */
#define PTY_LDISC_FULL 4095

static void die(const char *what)
{
	fprintf(stderr, "sstp-bench-server: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void tls_die(const char *what, int err)
{
	fprintf(stderr, "sstp-bench-server: %s: %s\n", what, gnutls_strerror(err));
	exit(1);
}

/* One TLS session on a connected socket, with default priorities; both the
 * server and the raw-TLS client side of the benchmark start this way. */
static gnutls_session_t tls_start(int fd, unsigned int flags, gnutls_certificate_credentials_t cred,
				  const char *what)
{
	gnutls_session_t s;
	int ret;

	gnutls_init(&s, flags);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0)
		tls_die(what, ret);
	return s;
}

/* ---- async HDLC (RFC 1662), table-driven, byte at a time -------------- */

static uint16_t crc_tab[256];
static uint8_t esc_tab[256]; /* 1: byte goes out as 7D, byte^0x20 */

static void hdlc_tables(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint16_t v = (uint16_t)i;
		for (int b = 0; b < 8; b++)
			v = (v & 1) ? (uint16_t)((v >> 1) ^ 0x8408) : (uint16_t)(v >> 1);
		crc_tab[i] = v;
		esc_tab[i] = i < 0x20 || i == 0x7d || i == 0x7e;
	}
}

static inline uint16_t crc_step(uint16_t crc, uint8_t c)
{
	return (uint16_t)((crc >> 8) ^ crc_tab[(crc ^ c) & 0xff]);
}

/* Appends one framed, escaped frame to out; returns bytes written. */
static size_t frame_out(const uint8_t *f, size_t n, uint8_t *out)
{
	uint8_t *o = out;
	uint16_t crc = 0xffff;
	uint8_t tail[2];

	*o++ = 0x7e;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = f[i];
		crc = crc_step(crc, c);
		if (esc_tab[c]) {
			*o++ = 0x7d;
			*o++ = c ^ 0x20;
		} else {
			*o++ = c;
		}
	}
	crc ^= 0xffff;
	tail[0] = crc & 0xff;
	tail[1] = crc >> 8;
	for (int i = 0; i < 2; i++) {
		if (esc_tab[tail[i]]) {
			*o++ = 0x7d;
			*o++ = tail[i] ^ 0x20;
		} else {
			*o++ = tail[i];
		}
	}
	*o++ = 0x7e;
	return (size_t)(o - out);
}

struct deframer {
	uint8_t buf[MAX_FRAME + 2 + 8];
	size_t len;
	uint16_t crc;
	int esc, hunting, toolong;
};

/* ---- one SSTP connection ------------------------------------------------ */

struct conn {
	gnutls_session_t s;
	int fd, pty;
	pid_t pppd;
	uint8_t *tin, *tout, *pin, *pout;
	size_t tin_len, tout_len, tout_off, tout_retry;
	size_t pin_len, pout_len, pout_off;
	struct deframer df;
	int closing;
	/* ciphertext from one big recv(), handed to GnuTLS piecemeal */
	uint8_t *rx;
	size_t rx_off, rx_len;
	int rx_empty; /* the last recv() drained the socket: wait for poll() */
};

#define RX_CAP (64 * 1024)

/* GnuTLS would read each record with two recv() calls plus a failing one;
 * this serves it from one large recv() and says EAGAIN for free once the
 * socket is known to be empty. */
static ssize_t pull_buffered(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct conn *c = ptr;

	if (c->rx_off == c->rx_len) {
		ssize_t r;

		if (c->rx_empty) {
			gnutls_transport_set_errno(c->s, EAGAIN);
			return -1;
		}
		r = recv(c->fd, c->rx, RX_CAP, 0);
		if (r <= 0) {
			if (r < 0)
				gnutls_transport_set_errno(c->s, errno);
			return r;
		}
		c->rx_off = 0;
		c->rx_len = (size_t)r;
		c->rx_empty = c->rx_len < RX_CAP;
	}
	if (len > c->rx_len - c->rx_off)
		len = c->rx_len - c->rx_off;
	memcpy(buf, c->rx + c->rx_off, len);
	c->rx_off += len;
	return (ssize_t)len;
}

static int pull_timeout_buffered(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct conn *c = ptr;
	struct pollfd pf = {.fd = c->fd, .events = POLLIN};

	if (c->rx_off < c->rx_len)
		return 1;
	c->rx_empty = 0;
	return poll(&pf, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void queue_tls(struct conn *c, const uint8_t *p, size_t n)
{
	if (c->tout_len + n > TLS_OUT_CAP)
		return; /* only control messages come here, with room kept */
	memcpy(c->tout + c->tout_len, p, n);
	c->tout_len += n;
}

static void queue_ctrl(struct conn *c, unsigned type)
{
	uint8_t m[8] = {0x10, 0x01, 0x00, 0x08};

	put_be16(m + 4, type);
	queue_tls(c, m, sizeof(m));
}

/* A de-framed PPP frame from the server pppd -> one SSTP data packet. */
static void emit_data(struct conn *c, const uint8_t *f, size_t n)
{
	uint8_t *p = c->tout + c->tout_len;

	p[0] = 0x10;
	p[1] = 0x00;
	put_be16(p + 2, (unsigned)(n + 4));
	memcpy(p + 4, f, n);
	c->tout_len += n + 4;
}

static void deframe(struct conn *c, const uint8_t *in, size_t n)
{
	struct deframer *d = &c->df;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];

		if (b == 0x7e) {
			if (!d->hunting && !d->esc && !d->toolong && d->len >= 4 &&
			    d->crc == 0xf0b8)
				emit_data(c, d->buf, d->len - 2);
			d->len = 0;
			d->crc = 0xffff;
			d->esc = d->toolong = d->hunting = 0;
			continue;
		}
		if (d->hunting)
			continue;
		if (b == 0x7d) {
			d->esc = 1;
			continue;
		}
		if (d->esc) {
			b ^= 0x20;
			d->esc = 0;
		}
		if (d->len >= MAX_FRAME + 2) {
			d->toolong = 1;
			continue;
		}
		d->buf[d->len++] = b;
		d->crc = crc_step(d->crc, b);
	}
}

static void handle_packet(struct conn *c, const uint8_t *p, size_t n)
{
	if (!(p[1] & 1)) {
		/* data: PPP frame towards the server pppd */
		c->pout_len += frame_out(p + 4, n - 4, c->pout + c->pout_len);
		return;
	}
	if (n < 8)
		return;
	switch (p[4] << 8 | p[5]) {
	case 0x0008: /* Echo Request */
		queue_ctrl(c, 0x0009);
		break;
	case 0x0006: /* Call Disconnect */
		queue_ctrl(c, 0x0007);
		c->closing = 1;
		break;
	case 0x0005: /* Call Abort */
	case 0x0007: /* Disconnect Ack */
		c->closing = 2;
		break;
	default: /* Call Connected (binding not checked), Echo Response ... */
		break;
	}
}

/* Parses whole SSTP packets from tin while the pty queue has room. */
static void process_tls_in(struct conn *c)
{
	size_t off = 0;

	while (c->tin_len - off >= 4 && PTY_OUT_CAP - c->pout_len > 2 * MAX_FRAME + 8) {
		const uint8_t *p = c->tin + off;
		size_t n = (size_t)((p[2] & 0x0f) << 8 | p[3]);

		if (p[0] != 0x10 || n < 4) {
			fprintf(stderr, "sstp-bench-server: bad SSTP packet\n");
			exit(1);
		}
		if (c->tin_len - off < n)
			break;
		handle_packet(c, p, n);
		off += n;
	}
	memmove(c->tin, c->tin + off, c->tin_len - off);
	c->tin_len -= off;
}

static int flush_tls(struct conn *c)
{
	while (c->tout_off < c->tout_len) {
		size_t n = c->tout_retry ? c->tout_retry : c->tout_len - c->tout_off;
		ssize_t r;

		if (n > REC_MAX)
			n = REC_MAX;
		r = gnutls_record_send(c->s, c->tout + c->tout_off, n);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			c->tout_retry = n;
			return 0;
		}
		if (r < 0)
			return -1;
		c->tout_retry = 0;
		c->tout_off += (size_t)r;
	}
	c->tout_off = c->tout_len = 0;
	return 1;
}

static int flush_pty(struct conn *c)
{
	while (c->pout_off < c->pout_len) {
		ssize_t r = write(c->pty, c->pout + c->pout_off, c->pout_len - c->pout_off);

		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->pout_off += (size_t)r;
	}
	c->pout_off = c->pout_len = 0;
	return 1;
}

static ssize_t tls_read_full(gnutls_session_t s, uint8_t *buf, size_t cap)
{
	ssize_t r;

	do
		r = gnutls_record_recv(s, buf, cap);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	return r;
}

static void start_pppd(struct conn *c, const char *options)
{
	int master, slave;
	struct termios t;
	char name[128];

	if (openpty(&master, &slave, name, NULL, NULL) < 0)
		die("openpty");
	tcgetattr(slave, &t);
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	c->pppd = fork();
	if (c->pppd < 0)
		die("fork");
	if (c->pppd == 0) {
		int null = open("/dev/null", O_RDWR);

		setsid();
		dup2(null, 0); /* stdout and stderr: the server's log */
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execl("/usr/sbin/pppd", "pppd", name, "nodetach", "file", options, (char *)NULL);
		_exit(127);
	}
	/* The slave stays open here: until pppd has opened it, reading the
	 * master would report EIO. So pppd's exit is found by waitpid() when
	 * the loop idles. */
	(void)slave;
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	c->pty = master;
}

static void serve_sstp(gnutls_session_t s, int fd, const char *options)
{
	static const uint8_t connect_request[14] = {0x10, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00,
						    0x01, 0x00, 0x01, 0x00, 0x06, 0x00, 0x01};
	static const char reply[] = "HTTP/1.1 200 OK\r\n"
				    "Content-Length: 18446744073709551615\r\n"
				    "Server: sstp-bench-server\r\n\r\n";
	struct conn c = {.s = s, .fd = fd, .pty = -1};
	uint8_t ack[48] = {0x10, 0x01, 0x00, 0x30, 0x00, 0x02, 0x00, 0x01,
			   0x00, 0x04, 0x00, 0x28, 0x00, 0x00, 0x00, 0x03};
	size_t hlen = 0;
	char *end;
	ssize_t r;
	int ret;

	c.tin = malloc(TLS_IN_CAP);
	c.tout = malloc(TLS_OUT_CAP);
	c.pin = malloc(PTY_IN_CAP);
	c.pout = malloc(PTY_OUT_CAP);
	if (!c.tin || !c.tout || !c.pin || !c.pout)
		die("malloc");
	c.df.hunting = 1;

	/* HTTP request: up to the blank line */
	for (;;) {
		r = tls_read_full(s, c.tin + hlen, 4096 - hlen - 1);
		if (r <= 0)
			exit(1);
		hlen += (size_t)r;
		c.tin[hlen] = 0;
		end = strstr((char *)c.tin, "\r\n\r\n");
		if (end)
			break;
		if (hlen >= 4095)
			exit(1);
	}
	if (strncmp((char *)c.tin, "SSTP_DUPLEX_POST ", 17) != 0) {
		gnutls_record_send(s, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
		exit(1);
	}
	c.tin_len = hlen - (size_t)(end + 4 - (char *)c.tin);
	memmove(c.tin, end + 4, c.tin_len);
	gnutls_record_send(s, reply, sizeof(reply) - 1);

	/* Call Connect Request -> Ack, then the server pppd */
	while (c.tin_len < sizeof(connect_request)) {
		r = tls_read_full(s, c.tin + c.tin_len, TLS_IN_CAP - c.tin_len);
		if (r <= 0)
			exit(1);
		c.tin_len += (size_t)r;
	}
	if (memcmp(c.tin, connect_request, sizeof(connect_request)) != 0) {
		fprintf(stderr, "sstp-bench-server: unexpected Call Connect Request\n");
		exit(1);
	}
	c.tin_len -= sizeof(connect_request);
	memmove(c.tin, c.tin + sizeof(connect_request), c.tin_len);
	gnutls_rnd(GNUTLS_RND_NONCE, ack + 16, 32);
	gnutls_record_send(s, ack, sizeof(ack));
	start_pppd(&c, options);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c.rx = malloc(RX_CAP);
	if (!c.rx)
		die("malloc");
	gnutls_transport_set_pull_function(s, pull_buffered);
	gnutls_transport_set_pull_timeout_function(s, pull_timeout_buffered);
	gnutls_transport_set_ptr2(s, &c, (gnutls_transport_ptr_t)(intptr_t)fd);

	while (c.closing < 2) {
		struct pollfd pf[2] = {{.fd = fd}, {.fd = c.pty}};
		int pending;

		process_tls_in(&c);
		if (flush_pty(&c) < 0)
			break;
		if (c.pin_len == 0 && TLS_OUT_CAP - c.tout_len >= PTY_IN_CAP * 2)
			pf[1].events |= POLLIN;
		if (c.pout_len)
			pf[1].events |= POLLOUT;
		if (c.tout_len) {
			int f = flush_tls(&c);

			if (f < 0)
				break;
			if (!f)
				pf[0].events |= gnutls_record_get_direction(s) ? POLLOUT : POLLIN;
		}
		if (c.closing && !c.tout_len)
			break;
		if (c.tin_len < TLS_IN_CAP - REC_MAX - 64 &&
		    PTY_OUT_CAP - c.pout_len > 2 * MAX_FRAME + 8)
			pf[0].events |= POLLIN;
		pending = (pf[0].events & POLLIN) &&
			  (c.rx_off < c.rx_len || gnutls_record_check_pending(s) > 0);
		ret = poll(pf, 2, pending ? 0 : 1000);
		if (ret < 0 && errno != EINTR)
			die("poll");
		if (ret == 0 && !pending && waitpid(c.pppd, NULL, WNOHANG) == c.pppd) {
			c.pppd = 0;
			break;
		}
		if (pf[0].revents)
			c.rx_empty = 0;
		if (pending || (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			while (c.tin_len < TLS_IN_CAP - REC_MAX - 64 &&
			       PTY_OUT_CAP - c.pout_len > 2 * MAX_FRAME + 8) {
				r = gnutls_record_recv(s, c.tin + c.tin_len,
						       TLS_IN_CAP - c.tin_len);
				if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
					break;
				if (r <= 0) {
					c.closing = 2;
					break;
				}
				c.tin_len += (size_t)r;
				process_tls_in(&c);
			}
		}
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* n_tty hands out at most 4095 bytes a read and has
			 * refilled its buffer by the time a read returns: read
			 * on while reads come back full, up to a whole record,
			 * which saves polls here and records for the client. */
			do {
				r = read(c.pty, c.pin, PTY_IN_CAP);
				if (r > 0)
					deframe(&c, c.pin, (size_t)r);
			} while (r >= PTY_LDISC_FULL && c.tout_len < REC_MAX &&
				 TLS_OUT_CAP - c.tout_len >= PTY_IN_CAP * 2);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				break; /* pppd gone */
		}
	}
	if (c.closing < 2) {
		/* pppd went away or the link broke: tell the client if we can */
		uint8_t disc[8] = {0x10, 0x01, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00};

		c.tout_len = c.tout_off = c.tout_retry = 0;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		gnutls_record_send(s, disc, sizeof(disc));
	}
	if (c.pppd > 0) {
		kill(c.pppd, SIGTERM);
		waitpid(c.pppd, NULL, 0);
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
}

/* ---- raw TLS: the same path without a tunnel ----------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Command: 'U' secs (client sends, we count) or 'D' secs (we send). */
static void serve_raw(gnutls_session_t s)
{
	static uint8_t buf[REC_MAX];
	uint8_t cmd[5];
	uint64_t total = 0;
	ssize_t r;

	if (tls_read_full(s, cmd, sizeof(cmd)) != sizeof(cmd))
		exit(1);
	gnutls_rnd(GNUTLS_RND_NONCE, buf, sizeof(buf));
	if (cmd[0] == 'U') {
		uint8_t out[8];

		/* full records until the end marker, a 1-byte record */
		while ((r = tls_read_full(s, buf, sizeof(buf))) > 1)
			total += (uint64_t)r;
		for (int i = 0; i < 8; i++)
			out[i] = (uint8_t)(total >> (56 - 8 * i));
		gnutls_record_send(s, out, sizeof(out));
	} else {
		double stop = now_s() + cmd[1];

		while (now_s() < stop)
			for (int i = 0; i < 64; i++)
				if (gnutls_record_send(s, buf, sizeof(buf)) < 0)
					exit(1);
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
}

static int raw_client(const char *host, const char *port, int secs, int up)
{
	static uint8_t buf[REC_MAX];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	uint8_t cmd[5] = {up ? 'U' : 'D', (uint8_t)secs};
	uint64_t total = 0;
	double t0, t1;
	int fd;
	ssize_t r;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return 1;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("connect");
	gnutls_certificate_allocate_credentials(&cred);
	s = tls_start(fd, GNUTLS_CLIENT, cred, "raw handshake");
	gnutls_record_send(s, cmd, sizeof(cmd));
	t0 = now_s();
	if (up) {
		double stop = t0 + secs;
		uint8_t res[8];

		memset(buf, 0x5a, sizeof(buf));
		while (now_s() < stop)
			for (int i = 0; i < 16; i++) {
				gnutls_record_send(s, buf, sizeof(buf));
				total += sizeof(buf);
			}
		buf[0] = 0xff;
		gnutls_record_send(s, buf, 1);
		if (tls_read_full(s, res, sizeof(res)) != sizeof(res))
			return 1;
		total = 0;
		for (int i = 0; i < 8; i++)
			total = total << 8 | res[i];
	} else {
		while ((r = tls_read_full(s, buf, sizeof(buf))) > 0)
			total += (uint64_t)r;
	}
	t1 = now_s();
	printf("raw-tls %s bytes %llu seconds %.3f mbit_s %.1f cipher %s\n", up ? "up" : "down",
	       (unsigned long long)total, t1 - t0, total * 8 / (t1 - t0) / 1e6,
	       gnutls_cipher_get_name(gnutls_cipher_get(s)));
	return 0;
}

/* ---- OCSP stapling ------------------------------------------------------- */

/* Served through the callback, not gnutls_certificate_set_ocsp_status_request_file,
 * which would check the response and withhold an expired one. */
static int staple_ocsp(gnutls_session_t s, void *file, gnutls_datum_t *resp)
{
	(void)s;
	if (gnutls_load_file(file, resp) < 0) {
		fprintf(stderr, "sstp-bench-server: cannot read OCSP response %s\n",
			(const char *)file);
		return GNUTLS_E_NO_CERTIFICATE_STATUS;
	}
	return 0;
}

/* The plan's entry for connection n (from 1): a file name, or NULL. */
static char *ocsp_for(const char *plan, unsigned n)
{
	static char file[4096];
	const char *p = plan, *end;

	for (; p && n > 1; n--) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	end = p + strcspn(p, ",");
	if ((size_t)(end - p) >= sizeof(file) || (end - p == 1 && *p == '-') || end == p)
		return NULL;
	memcpy(file, p, (size_t)(end - p));
	file[end - p] = '\0';
	return file;
}

/* ---- listener -------------------------------------------------------------- */

static int listen_on(const char *addr, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai;
	int fd, one = 1;

	if (getaddrinfo(addr, port, &hints, &ai) != 0) {
		fprintf(stderr, "sstp-bench-server: cannot resolve %s\n", addr);
		exit(1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0)
		die("bind/listen");
	freeaddrinfo(ai);
	return fd;
}

int main(int argc, char **argv)
{
	const char *listen_addr = "0.0.0.0", *port = "443", *raw_port = "4433", *cert = NULL,
		   *key = NULL, *options = NULL, *pidfile = NULL, *dir = "up", *ocsp_plan = NULL;
	unsigned sstp_conns = 0;
	int secs = 10;
	gnutls_certificate_credentials_t cred;
	int lfd[2];

	if (argc < 2)
		goto usage;
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "--listen") || !strcmp(o, "--connect"))
			listen_addr = v;
		else if (!strcmp(o, "--port"))
			port = v;
		else if (!strcmp(o, "--raw-port"))
			raw_port = v;
		else if (!strcmp(o, "--cert"))
			cert = v;
		else if (!strcmp(o, "--key"))
			key = v;
		else if (!strcmp(o, "--pppd-options"))
			options = v;
		else if (!strcmp(o, "--pidfile"))
			pidfile = v;
		else if (!strcmp(o, "--seconds"))
			secs = atoi(v);
		else if (!strcmp(o, "--direction"))
			dir = v;
		else if (!strcmp(o, "--ocsp-plan"))
			ocsp_plan = v;
		else
			goto usage;
	}
	gnutls_global_init();
	if (!strcmp(argv[1], "raw"))
		return raw_client(listen_addr, port, secs > 0 && secs < 256 ? secs : 10,
				  !strcmp(dir, "up"));
	if (strcmp(argv[1], "serve") || !cert || !key || !options)
		goto usage;

	hdlc_tables();
	gnutls_certificate_allocate_credentials(&cred);
	if (gnutls_certificate_set_x509_key_file(cred, cert, key, GNUTLS_X509_FMT_PEM) < 0) {
		fprintf(stderr, "sstp-bench-server: cannot load %s / %s\n", cert, key);
		return 1;
	}
	lfd[0] = listen_on(listen_addr, port);
	lfd[1] = listen_on(listen_addr, raw_port);
	signal(SIGCHLD, SIG_IGN); /* connection children reap themselves */
	signal(SIGPIPE, SIG_IGN);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	for (;;) {
		struct pollfd pf[2] = {{.fd = lfd[0], .events = POLLIN},
				       {.fd = lfd[1], .events = POLLIN}};

		if (poll(pf, 2, -1) < 0)
			continue;
		for (int k = 0; k < 2; k++) {
			gnutls_session_t s;
			int fd;

			if (!(pf[k].revents & POLLIN))
				continue;
			fd = accept(lfd[k], NULL, NULL);
			if (fd < 0)
				continue;
			if (k == 0 && ocsp_plan) {
				char *file = ocsp_for(ocsp_plan, ++sstp_conns);

				fprintf(stderr, "conn=%u ocsp=%s\n", sstp_conns, file ? file : "-");
				if (file)
					gnutls_certificate_set_ocsp_status_request_function2(
					    cred, 0, staple_ocsp, file);
				else
					gnutls_certificate_set_ocsp_status_request_function2(
					    cred, 0, NULL, NULL);
			}
			if (fork() != 0) {
				close(fd);
				continue;
			}
			signal(SIGCHLD, SIG_DFL);
			close(lfd[0]);
			close(lfd[1]);
			s = tls_start(fd, GNUTLS_SERVER, cred, "handshake");
			if (k == 0)
				serve_sstp(s, fd, options);
			else
				serve_raw(s);
			_exit(0);
		}
	}
usage:
	fprintf(stderr,
		"usage: %s serve --listen ADDR --port P --raw-port P --cert PEM --key PEM "
		"--pppd-options FILE [--pidfile F] [--ocsp-plan DER,...]\n"
		"       %s raw --connect ADDR --port P --seconds N --direction up|down\n",
		argv[0], argv[0]);
	return 2;
}
