/*
 * json.c - a small JSON reader for `cohsim merge`: the whole text becomes a
 * tree of cli_json values. Objects keep their members in order, and each
 * value remembers the span of text it came from, so a finding object can
 * be printed again byte for byte.
 *
 * Interface: cli_json_parse() returns the root or NULL with a message
 * naming the byte offset; cli_json_free() frees the tree. Limits: nesting
 * depth 64; numbers are read with strtod (the counts cohsim writes are
 * exact in a double up to 2^53).
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct reader {
	const char *s;
	size_t pos, len;
	char *err;
	size_t errlen;
	int depth;
};

static void fail(struct reader *r, const char *what)
{
	if (r->err[0] == 0)
		snprintf(r->err, r->errlen, "byte %zu: %s", r->pos, what);
}

static void skip_ws(struct reader *r)
{
	while (r->pos < r->len && strchr(" \t\r\n", r->s[r->pos]))
		r->pos++;
}

static struct cli_json *value(struct reader *r);

static char *string(struct reader *r)
{
	if (r->pos >= r->len || r->s[r->pos] != '"') {
		fail(r, "expected a string");
		return NULL;
	}
	r->pos++;
	char *out = malloc(r->len - r->pos + 1);
	size_t n = 0;
	if (!out) {
		fail(r, "out of memory");
		return NULL;
	}
	while (r->pos < r->len && r->s[r->pos] != '"') {
		char c = r->s[r->pos++];
		if ((unsigned char)c < 0x20) {
			fail(r, "control character in a string");
			free(out);
			return NULL;
		}
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		if (r->pos >= r->len)
			break;
		c = r->s[r->pos++];
		const char *esc = strchr("\"\\/bfnrt", c);
		if (esc) {
			out[n++] = "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
		} else if (c == 'u' && r->pos + 4 <= r->len) {
			unsigned v = 0;
			for (int k = 0; k < 4; k++) {
				char h = r->s[r->pos++];
				v <<= 4;
				if (h >= '0' && h <= '9')
					v |= (unsigned)(h - '0');
				else if ((h | 32) >= 'a' && (h | 32) <= 'f')
					v |= (unsigned)((h | 32) - 'a' + 10);
				else
					v = 0x110000;
			}
			if (v > 0x7f) { /* cohsim writes ASCII; keep others out */
				fail(r, "a non-ASCII \\u escape");
				free(out);
				return NULL;
			}
			out[n++] = (char)v;
		} else {
			fail(r, "bad escape in a string");
			free(out);
			return NULL;
		}
	}
	if (r->pos >= r->len) {
		fail(r, "unterminated string");
		free(out);
		return NULL;
	}
	r->pos++;
	out[n] = 0;
	return out;
}

static struct cli_json *node(struct reader *r, enum cli_json_type t)
{
	struct cli_json *j = calloc(1, sizeof(*j));
	if (!j)
		fail(r, "out of memory");
	else
		j->type = t;
	return j;
}

static bool add_item(struct reader *r, struct cli_json *parent, struct cli_json *child, char *key)
{
	size_t n = parent->n + 1;
	struct cli_json **items = realloc(parent->items, n * sizeof(*items));
	char **keys =
	    parent->type == CLI_JSON_OBJECT ? realloc(parent->keys, n * sizeof(*keys)) : NULL;
	if (items)
		parent->items = items;
	if (keys)
		parent->keys = keys;
	if (!items || (parent->type == CLI_JSON_OBJECT && !keys)) {
		fail(r, "out of memory");
		return false;
	}
	parent->items[parent->n] = child;
	if (keys)
		parent->keys[parent->n] = key;
	parent->n = n;
	return true;
}

static struct cli_json *container(struct reader *r, bool object)
{
	struct cli_json *j = node(r, object ? CLI_JSON_OBJECT : CLI_JSON_ARRAY);
	if (!j)
		return NULL;
	r->pos++;
	skip_ws(r);
	char close = object ? '}' : ']';
	if (r->pos < r->len && r->s[r->pos] == close) {
		r->pos++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(r);
		if (object) {
			if (!(key = string(r)))
				break;
			skip_ws(r);
			if (r->pos >= r->len || r->s[r->pos] != ':') {
				fail(r, "expected ':'");
				free(key);
				break;
			}
			r->pos++;
		}
		struct cli_json *v = value(r);
		if (!v || !add_item(r, j, v, key)) {
			cli_json_free(v);
			free(key);
			break;
		}
		skip_ws(r);
		if (r->pos < r->len && r->s[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->len && r->s[r->pos] == close) {
			r->pos++;
			return j;
		}
		fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	cli_json_free(j);
	return NULL;
}

static struct cli_json *value(struct reader *r)
{
	skip_ws(r);
	if (r->pos >= r->len) {
		fail(r, "unexpected end");
		return NULL;
	}
	if (++r->depth > 64) {
		fail(r, "nested too deeply");
		return NULL;
	}
	size_t start = r->pos;
	struct cli_json *j = NULL;
	char c = r->s[r->pos];
	if (c == '{' || c == '[') {
		j = container(r, c == '{');
	} else if (c == '"') {
		char *s = string(r);
		if (s && (j = node(r, CLI_JSON_STRING)))
			j->str = s;
		else
			free(s);
	} else if (!strncmp(r->s + r->pos, "true", 4) || !strncmp(r->s + r->pos, "false", 5)) {
		bool t = c == 't';
		r->pos += t ? 4 : 5;
		if ((j = node(r, CLI_JSON_BOOL)))
			j->boolean = t;
	} else if (!strncmp(r->s + r->pos, "null", 4)) {
		r->pos += 4;
		j = node(r, CLI_JSON_NULL);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		char *end;
		double d = strtod(r->s + r->pos, &end);
		if (end == r->s + r->pos) {
			fail(r, "bad number");
		} else {
			r->pos = (size_t)(end - r->s);
			if ((j = node(r, CLI_JSON_NUMBER)))
				j->number = d;
		}
	} else {
		fail(r, "unexpected character");
	}
	r->depth--;
	if (j) {
		j->text = r->s + start;
		j->text_len = r->pos - start;
	}
	return j;
}

struct cli_json *cli_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct reader r = {text, 0, len, err, errlen, 0};
	err[0] = 0;
	struct cli_json *j = value(&r);
	skip_ws(&r);
	if (j && r.pos != r.len) {
		fail(&r, "text after the JSON value");
		cli_json_free(j);
		return NULL;
	}
	return j;
}

void cli_json_free(struct cli_json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		cli_json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

const struct cli_json *cli_json_get(const struct cli_json *obj, const char *key)
{
	if (!obj || obj->type != CLI_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}
