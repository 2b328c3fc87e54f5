/*
 * completion.c - struct completion: complete() / complete_all() /
 * wait_for_completion() / try_wait_for_completion() / reinit_completion().
 *
 * done counts completions; complete_all() makes it "infinite" until
 * reinit. wait_for_completion() might sleep (a finding in atomic context);
 * complete() may be called from any context, IRQ handlers included.
 */
#include <limits.h>

#include "sched/sched_impl.h"

#define COMPLETE_ALL (UINT_MAX / 2)

void coh_init_completion(coh_completion *c, const char *name)
{
	*c = (coh_completion){0};
	c->name = name ? name : "completion";
	coh_init_waitqueue_head(&c->wait, c->name);
}

void coh_reinit_completion(coh_completion *c)
{
	c->done = 0;
}

void coh__complete(coh_completion *c, bool all, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (s && s->cur) {
		coh__point(s, all ? "complete_all" : "complete", c->name, file, line);
		coh__fp_obj(s, &c->o, true);
	}
	if (all)
		c->done = COMPLETE_ALL;
	else if (c->done < COMPLETE_ALL)
		c->done++;
	if (s)
		coh__wake_obj(s, c);
}

void coh__wait_for_completion(coh_completion *c, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return;
	coh__check_sleep(s, "wait_for_completion", file, line);
	coh__point(s, "wait_for_completion", c->name, file, line);
	coh__fp_obj(s, &c->o, true);
	while (!c->done)
		coh__block(s, false, "completion", c->name, c, NULL, file, line);
	if (c->done != COMPLETE_ALL)
		c->done--;
}

bool coh__try_wait_for_completion(coh_completion *c, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (s && s->cur) {
		coh__point(s, "try_wait_for_completion", c->name, file, line);
		coh__fp_obj(s, &c->o, true);
	}
	if (!c->done)
		return false;
	if (c->done != COMPLETE_ALL)
		c->done--;
	return true;
}
