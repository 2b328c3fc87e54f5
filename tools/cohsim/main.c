/*
 * main.c - the cohsim command line. Uses only the public headers.
 */
#include <stdio.h>
#include <string.h>

#include "cohsim/arch.h"
#include "cohsim/machine.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: cohsim arch list\n");
}

static int arch_list(void)
{
	printf("%-10s %-14s %7s %5s %5s %s\n", "arch", "cache", "size", "ways", "line",
	       "stands for");
	for (size_t i = 0; i < coh_arch_count(); i++) {
		const coh_arch *a = coh_arch_at(i);
		printf("%-10s %-14s %6uK %5u %5u %s\n", a->name, a->kind, a->l1.size / 1024,
		       a->l1.ways, a->l1.line_size, a->stands_for);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "arch") == 0 && strcmp(argv[2], "list") == 0)
		return arch_list();
	usage(stderr);
	return 2;
}
