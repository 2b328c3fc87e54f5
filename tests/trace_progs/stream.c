/* stream.c - sequential writes, then reads, of a 128 KiB array (a trace
 * program of tests/cli_cachegrind.sh). */
#include <stdlib.h>

int main(void)
{
	enum { N = 1 << 14 };
	volatile long *a = malloc(N * sizeof(long));
	long s = 0;
	if (!a)
		return 1;
	for (int i = 0; i < N; i++)
		a[i] = i;
	for (int i = 0; i < N; i++)
		s += a[i];
	free((void *)a);
	return (int)(s & 1);
}
