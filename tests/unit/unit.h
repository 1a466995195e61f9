/* Minimal unit-test support: checks that report file:line and keep going,
 * so one run shows every failure. main() returns unit_finish(). */
#ifndef SSTP_UNIT_H
#define SSTP_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long unit_checks;
static unsigned long unit_failures;

static inline bool unit_check(bool ok, const char *expr, const char *file, int line)
{
	unit_checks++;
	if (!ok) {
		unit_failures++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
	}
	return ok;
}

static inline void unit_print_hex(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(stderr, "  %s:", label);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n    ", p[i]);
	fprintf(stderr, "\n");
}

static inline bool unit_check_mem(const void *a, const void *b, size_t n, const char *expr,
				  const char *file, int line)
{
	if (unit_check(!memcmp(a, b, n), expr, file, line))
		return true;
	unit_print_hex("got", a, n);
	unit_print_hex("expected", b, n);
	return false;
}

static inline bool unit_check_int(long long got, long long expected, const char *expr,
				  const char *file, int line)
{
	if (unit_check(got == expected, expr, file, line))
		return true;
	fprintf(stderr, "  got %lld (0x%llx), expected %lld (0x%llx)\n", got,
		(unsigned long long)got, expected, (unsigned long long)expected);
	return false;
}

static inline bool unit_check_str(const char *got, const char *expected, const char *expr,
				  const char *file, int line)
{
	if (unit_check(!strcmp(got, expected), expr, file, line))
		return true;
	fprintf(stderr, "  got      \"%s\"\n  expected \"%s\"\n", got, expected);
	return false;
}

#define CHECK(cond) unit_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_MEM(a, b, n)                                                                         \
	unit_check_mem((a), (b), (n), "memcmp(" #a ", " #b ", " #n ")", __FILE__, __LINE__)
#define CHECK_INT(got, expected)                                                                   \
	unit_check_int((long long)(got), (long long)(expected), #got " == " #expected, __FILE__,   \
		       __LINE__)
#define CHECK_STR(got, expected)                                                                   \
	unit_check_str((got), (expected), #got " == " #expected, __FILE__, __LINE__)

/*
 * Parses hex digits into out, skipping spaces, so vectors can be pasted as
 * printed ("10 01 00 0E ..."). Returns the byte count; aborts on bad input,
 * since a broken vector is a bug in the test itself.
 */
static inline size_t unit_hex(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;

	for (; *text; text++) {
		int v;

		if (*text == ' ' || *text == '\n' || *text == '\t')
			continue;
		if (*text >= '0' && *text <= '9')
			v = *text - '0';
		else if (*text >= 'a' && *text <= 'f')
			v = *text - 'a' + 10;
		else if (*text >= 'A' && *text <= 'F')
			v = *text - 'A' + 10;
		else
			v = -1;
		if (v < 0 || (high < 0 && n == cap)) {
			fprintf(stderr, "unit_hex: bad or oversized vector near \"%.16s\"\n", text);
			abort();
		}
		if (high < 0) {
			high = v;
		} else {
			out[n++] = (uint8_t)(high << 4 | v);
			high = -1;
		}
	}
	if (high >= 0) {
		fprintf(stderr, "unit_hex: odd number of digits\n");
		abort();
	}
	return n;
}

/* Deterministic generator (xorshift64*), independent of libc's rand(). */
static inline uint64_t unit_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline int unit_finish(const char *name)
{
	printf("%s: %lu checks, %lu failed\n", name, unit_checks, unit_failures);
	return unit_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
