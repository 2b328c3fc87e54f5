/* random.c - xorshift-random loads and stores over 2 MiB (a trace program of
 * tests/cli_cachegrind.sh). */
#include <stdint.h>
#include <stdlib.h>

int main(void)
{
	enum { N = 1 << 18 }; /* u64 slots */
	volatile uint64_t *a = calloc(N, sizeof(uint64_t));
	uint64_t x = 88172645463325252ull, s = 0;
	if (!a)
		return 1;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x & 3)
			s += a[x % N];
		else
			a[(x >> 8) % N] = x;
	}
	free((void *)a);
	return (int)(s & 1);
}
