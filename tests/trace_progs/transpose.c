/* transpose.c - a naive transpose of an NxN matrix of doubles (N = 128, or
 * -DSIDE=N): rows read, columns written (a trace program of
 * tests/cli_cachegrind.sh and bench/bench_trace.sh). */
#include <stdlib.h>

#ifndef SIDE
#define SIDE 128
#endif
enum { N = SIDE };

int main(void)
{
	double(*a)[N] = malloc(sizeof(double[N][N]));
	double(*b)[N] = malloc(sizeof(double[N][N]));
	if (!a || !b)
		return 1;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			a[i][j] = i * N + j;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			b[j][i] = a[i][j];
	double s = b[3][7];
	free(a);
	free(b);
	return s > 0 ? 0 : 1;
}
