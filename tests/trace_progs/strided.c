/* strided.c - a read-modify-write every 72 bytes over 128 KiB, twice:
 * one access per line or two, some of them straddling two lines (a trace
 * program of tests/cli_cachegrind.sh). */
#include <stdlib.h>
#include <string.h>

int main(void)
{
	enum { BYTES = 1 << 17, STRIDE = 72 };
	volatile unsigned char *a = malloc(BYTES);
	if (!a)
		return 1;
	memset((void *)a, 1, BYTES);
	for (int r = 0; r < 2; r++)
		for (size_t i = 60; i + 8 <= BYTES; i += STRIDE)
			/* 8 bytes at 60 + 72k: some straddle two lines */
			*(volatile unsigned long *)(a + i) += 1;
	unsigned long s = a[100];
	free((void *)a);
	return s == 1 ? 0 : 1;
}
