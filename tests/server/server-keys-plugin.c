/* Test-only plugin for the *server* pppd 2.5 of the system tests: when the
 * peer has authenticated, write the server's MPPE receive key (hex) to the
 * file named by the option sstp-test-keys-file.
 *
 * Why: the test server verifies every crypto binding with keys it knows
 * independently of the client. For EAP-TLS it cannot derive them, since the
 * EAP-TLS session runs between the two pppds. The server pppd derives them
 * from its own end of that session; its receive key is the client's send key,
 * which is the EAP-TLS HLAK. Never install this anywhere: it writes a session
 * key to a file on purpose.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <pppd/pppd.h>
#include <pppd/options.h>
#include <pppd/mppe.h>

char pppd_version[] = PPPD_VERSION;

static char *keys_file;

static struct option keys_options[] = {
    {.name = "sstp-test-keys-file",
     .type = o_string,
     .addr = &keys_file,
     .description = "write the server's MPPE receive key to this file (tests only)",
     .flags = OPT_PRIV},
    {.name = NULL},
};

static void write_keys(void *ctx, int arg)
{
	unsigned char key[MPPE_MAX_KEY_SIZE];
	int len, i;
	FILE *f;

	(void)ctx;
	(void)arg;
	if (!keys_file || !mppe_keys_isset())
		return;
	len = mppe_get_recv_key(key, sizeof(key));
	umask(077);
	f = fopen(keys_file, "w");
	if (!f) {
		error("sstp-test-keys-file %s: %m", keys_file);
		return;
	}
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", key[i]);
	fputc('\n', f);
	fclose(f);
	memset(key, 0, sizeof(key));
	dbglog("server-keys-plugin: wrote %d key bytes to %s", len, keys_file);
}

void plugin_init(void)
{
	ppp_add_options(keys_options);
	ppp_add_notify(NF_AUTH_UP, write_keys, NULL);
}
