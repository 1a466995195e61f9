/*
 * Where hdlc.c's FCS tables come from, checked entry by entry: each is
 * derived here from the bitwise FCS-16 of RFC 1662 C.2 (reflected
 * polynomial x^16 + x^12 + x^5 + 1, i.e. 0x8408). The decoder's source is
 * compiled into this test so the static table itself is what gets checked.
 */
#include "../../plugin/hdlc.c"

#include "unit.h"

#define FCS_POLY_REFLECTED 0x8408

/* RFC 1662 C.2, one bit at a time. */
static uint16_t fcs_bitwise(uint16_t fcs, uint8_t byte)
{
	int bit;

	fcs ^= byte;
	for (bit = 0; bit < 8; bit++)
		fcs = (fcs & 1) ? (fcs >> 1) ^ FCS_POLY_REFLECTED : fcs >> 1;
	return fcs;
}

int main(void)
{
	unsigned b, k, mismatches = 0;

	for (b = 0; b < 256; b++) {
		/* Row k: byte b followed by k zero bytes, from a zero FCS. */
		uint16_t fcs = fcs_bitwise(0, (uint8_t)b);

		for (k = 0; k < 8; k++) {
			if (!CHECK_INT(fcs_table[k][b], fcs) && ++mismatches > 10)
				return unit_finish("test-fcs-table");
			fcs = fcs_bitwise(fcs, 0);
		}
	}
	/* And the whole: the CRC-16/X-25 check value (RFC 1662 C.2). */
	CHECK_INT(hdlc_fcs16(HDLC_FCS_INIT, (const uint8_t *)"123456789", 9) ^ 0xffff, 0x906e);
	return unit_finish("test-fcs-table");
}
