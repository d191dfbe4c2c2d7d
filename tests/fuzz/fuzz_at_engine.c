/*
 * fuzz_at_engine.c - the AT engine and the modem calls on top of it
 * (lib/at.c, lib/modem*.c) talking to a scripted modem: the library
 * opens an fd: link on the slave of a real pty, and a thread on the
 * master answers each command with the next reply of the input. Nothing
 * in the library is mocked; deadlines are a few ms so an input that
 * never gives a final result costs little.
 *
 * Input: records (RS = 0x1e), each a letter and its bytes:
 *   R<bytes>  queue a reply: the modem sends it after the next command
 *   U<bytes>  the modem sends bytes now, unasked (URCs, noise)
 *   C<text>   hs_at_command(text)       S<text>  hs_at_simple(text)
 *   W         hs_at_wait_result         P        hs_at_poll
 *   B<bytes>  hs_at_send_raw            O        back to command mode
 *   Q<n>      hs_at_set_quiet           L<s3><s4> hs_at_set_line_chars
 *   D<n>      the driver: its numeric map and URC prefixes
 *   I         hs_modem_identify         Y        hs_modem_sync
 *   Z         hs_modem_init             A        hs_modem_answer
 *   N<number> hs_modem_dial             G<n>     hs_modem_wait_call
 *   X         hs_modem_read (data mode)
 * Invariants: no call returns anything but HS_OK, an enum hs_err or a
 * count; a failed call leaves a message; a reply's text has as many
 * lines as it says, each ended, within HS_AT_TEXT_MAX; every string the
 * engine fills (final, CONNECT details, identity, caller ID) ends within
 * its buffer, and identity text is printable; URCs reach the callback
 * with their key and value as C strings.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/at.h"
#include "handshake/error.h"
#include "handshake/link.h"
#include "handshake/modem.h"
#include "harness.h"

/* Short deadlines: the scripted modem answers at once or never, and
 * with no reply queued a call can only end on what is already there. */
#define REPLY_MS 5
#define NO_REPLY_MS 1
#define MAX_OPS 16

struct ctx {
	int urcs;
};

static void on_urc(void *arg, const struct hs_at_urc *u)
{
	struct ctx *c = arg;

	FUZZ_CHECK(u->line && u->key && u->value, "URC %d without line, key or value",
		   (int)u->kind);
	FUZZ_CHECK(strlen(u->line) <= HS_AT_LINE_MAX, "URC line of %zu bytes", strlen(u->line));
	FUZZ_CHECK(u->kind <= HS_URC_CONNECT, "URC kind %d", (int)u->kind);
	FUZZ_CHECK((u->kind == HS_URC_CONNECT) == (u->connect != NULL), "URC connect");
	(void)strlen(u->key);
	(void)strlen(u->value);
	c->urcs++;
}

static void check_rc(int rc, const char *what)
{
	FUZZ_CHECK(rc >= 0 || (rc <= HS_ERR_ARG && rc >= HS_ERR_CANCELED),
		   "%s returned %d", what, rc);
	FUZZ_CHECK(rc >= 0 || hs_last_error()[0], "%s failed (%s) without a message", what,
		   hs_err_name(rc));
}

static void check_reply(const struct hs_at_reply *r)
{
	char line[HS_AT_LINE_MAX + 1];
	int lines = 0;

	FUZZ_CHECK(fuzz_terminated(r->final, sizeof(r->final)), "final");
	FUZZ_CHECK(r->len < HS_AT_TEXT_MAX && r->text[r->len] == 0, "text of %zu bytes", r->len);
	FUZZ_CHECK(strlen(r->text) == r->len, "a NUL inside the reply text");
	for (size_t i = 0; i < r->len; i++)
		lines += r->text[i] == '\n';
	FUZZ_CHECK(lines == r->nlines, "%d lines, %d counted", lines, r->nlines);
	FUZZ_CHECK(r->len == 0 || r->text[r->len - 1] == '\n', "last line not ended");
	for (int i = 0; i < r->nlines; i++)
		FUZZ_CHECK(hs_at_reply_line(r, i, line, sizeof(line)) >= 0, "line %d", i);
	FUZZ_CHECK(hs_at_reply_line(r, r->nlines, line, sizeof(line)) == -1, "line past the end");
	fuzz_check_connect(&r->connect);
}

static void check_ident(const struct hs_modem_ident *id)
{
	FUZZ_CHECK(fuzz_printable(id->manufacturer, sizeof(id->manufacturer)), "manufacturer");
	FUZZ_CHECK(fuzz_printable(id->model, sizeof(id->model)), "model");
	FUZZ_CHECK(fuzz_printable(id->revision, sizeof(id->revision)), "revision");
	FUZZ_CHECK(fuzz_printable(id->serial, sizeof(id->serial)), "serial");
	FUZZ_CHECK(id->nati >= 0 && id->nati <= HS_MODEM_ATI_MAX, "nati %d", id->nati);
	for (int i = 0; i < id->nati; i++)
		FUZZ_CHECK(fuzz_printable(id->ati[i], sizeof(id->ati[i])), "ati %d", i);
}

static void check_call(const struct hs_modem_call *c)
{
	FUZZ_CHECK(c->rings >= 0, "rings %d", c->rings);
	FUZZ_CHECK(fuzz_terminated(c->date, sizeof(c->date)), "date");
	FUZZ_CHECK(fuzz_terminated(c->time, sizeof(c->time)), "time");
	FUZZ_CHECK(fuzz_terminated(c->number, sizeof(c->number)), "number");
	FUZZ_CHECK(fuzz_terminated(c->name, sizeof(c->name)), "name");
	FUZZ_CHECK(fuzz_terminated(c->mesg, sizeof(c->mesg)), "mesg");
}

static const struct hs_modem_driver *driver(const uint8_t *p, size_t n)
{
	size_t count = 0;

	while (hs_modem_driver_at(count))
		count++;
	return hs_modem_driver_at(n ? p[0] % count : 0);
}

static void op(struct hs_modem *m, struct fuzz_peer *peer, char letter, const uint8_t *p,
	       size_t n)
{
	struct hs_at *at = hs_modem_at(m);
	struct hs_at_reply *r = malloc(sizeof(*r));
	struct hs_modem_ident *id = malloc(sizeof(*id));
	struct hs_at_connect c;
	struct hs_modem_call call;
	char *text = fuzz_strndup(p, n), buf[256];
	int rc = HS_OK;
	int call_ms = fuzz_peer_pending(peer) ? REPLY_MS : NO_REPLY_MS;

	if (!r || !id)
		abort();
	memset(&c, 0, sizeof(c));
	memset(&call, 0, sizeof(call));
	memset(r, 0, sizeof(*r));
	switch (letter) {
	case 'R': fuzz_peer_reply(peer, p, n); break;
	case 'U': fuzz_peer_send(peer, p, n); break;
	case 'C':
		rc = hs_at_command(at, text, r, call_ms);
		if (rc == HS_OK)
			check_reply(r);
		break;
	case 'S': rc = hs_at_simple(at, text, call_ms); break;
	case 'W':
		rc = hs_at_wait_result(at, r, call_ms);
		if (rc == HS_OK)
			check_reply(r);
		break;
	case 'P': rc = hs_at_poll(at, 2); break;
	case 'B': rc = hs_at_send_raw(at, p, n, call_ms); break;
	case 'O':
		hs_at_take_input(at, buf, sizeof(buf));
		hs_at_set_online(at, 0);
		break;
	case 'Q': hs_at_set_quiet(at, n && p[0] & 1, 5); break;
	case 'L': rc = hs_at_set_line_chars(at, n > 0 ? p[0] : 0, n > 1 ? p[1] : 0); break;
	case 'D': rc = hs_modem_set_driver(m, driver(p, n)); break;
	case 'I':
		memset(id, 0, sizeof(*id));
		rc = hs_modem_identify(m, id, 4 * call_ms);
		check_ident(id);
		break;
	case 'Y': rc = hs_modem_sync(m, 2, 2 * call_ms); break;
	case 'Z': rc = hs_modem_init(m, 2 * call_ms); break;
	case 'A':
		rc = hs_modem_answer(m, &c, call_ms);
		fuzz_check_connect(&c);
		break;
	case 'N': {
		struct hs_dial d = { .number = text, .method = HS_DIAL_TONE };
		rc = hs_modem_dial(m, &d, &c, call_ms);
		fuzz_check_connect(&c);
		break;
	}
	case 'G':
		rc = hs_modem_wait_call(m, n ? p[0] % 4 : 0, &call, &c, call_ms);
		check_call(&call);
		fuzz_check_connect(&c);
		break;
	case 'X':
		rc = hs_modem_read(m, buf, sizeof(buf), 2);
		FUZZ_CHECK(rc <= (int)sizeof(buf), "read %d", rc);
		break;
	default:
		break;
	}
	check_rc(rc, text);
	free(text);
	free(r);
	free(id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pty pty;
	struct fuzz_records rec;
	struct fuzz_peer *peer;
	struct hs_link *link;
	struct hs_modem *m;
	struct ctx ctx = { 0 };
	const uint8_t *p;
	size_t n;
	int ops = 0;

	fuzz_pty_open(&pty);
	if (hs_link_open(&link, pty.uri) != HS_OK)
		fuzz_fail(__FILE__, __LINE__, "open", "%s: %s", pty.uri, hs_last_error());
	if (hs_modem_open(&m, link, hs_modem_driver_find("hayes")) != HS_OK)
		fuzz_fail(__FILE__, __LINE__, "modem", "%s", hs_last_error());
	hs_modem_set_urc_handler(m, on_urc, &ctx);
	peer = fuzz_peer_start(&pty);

	fuzz_records_init(&rec, data, size);
	while (fuzz_record(&rec, &p, &n) && ops < MAX_OPS) {
		if (!n)
			continue;
		if (p[0] != 'R' && p[0] != 'U')
			ops++;
		op(m, peer, (char)p[0], p + 1, n - 1);
	}

	fuzz_peer_stop(peer);
	hs_modem_free(m);
	hs_link_close(link);
	fuzz_pty_close(&pty);
	return 0;
}
