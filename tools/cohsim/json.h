/*
 * json.h - a small JSON reader (json.c) for `cohsim merge`.
 *
 * Ownership: cli_json_parse() allocates the tree, cli_json_free() frees
 * it. Each value's text span points into the parsed buffer, which must
 * outlive the tree.
 */
#ifndef COHSIM_JSON_H
#define COHSIM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_json_type {
	CLI_JSON_NULL,
	CLI_JSON_BOOL,
	CLI_JSON_NUMBER,
	CLI_JSON_STRING,
	CLI_JSON_ARRAY,
	CLI_JSON_OBJECT
};

struct cli_json {
	enum cli_json_type type;
	bool boolean;
	double number;
	char *str;               /* STRING: unescaped */
	struct cli_json **items; /* ARRAY and OBJECT: the values, in order */
	char **keys;             /* OBJECT: the members' names */
	size_t n;
	const char *text; /* the value's text in the buffer */
	size_t text_len;
};

/* The root value of text[0..len), or NULL with "byte N: what" in err. */
struct cli_json *cli_json_parse(const char *text, size_t len, char *err, size_t errlen);
void cli_json_free(struct cli_json *j);
/* The member key of an object; NULL if absent or not an object. */
const struct cli_json *cli_json_get(const struct cli_json *obj, const char *key);

#endif
