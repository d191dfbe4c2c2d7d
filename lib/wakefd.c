/*
 * wakefd.c - an epoll set plus an eventfd as one pollable descriptor
 * (see wakefd.h). The eventfd's counter only says "raised": it is
 * written once when raised and read empty when lowered.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wakefd.h"

int hs_wakefd_open(struct hs_wakefd *w)
{
	struct epoll_event e = { .events = EPOLLIN };

	w->raised = 0;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->evfd < 0) {
		int err = errno;
		hs_wakefd_close(w);
		return -err;
	}
	e.data.fd = w->evfd;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &e);
	return 0;
}

void hs_wakefd_watch(struct hs_wakefd *w, int fd, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.fd = fd };

	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e) != 0 && errno == EEXIST)
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &e);
}

void hs_wakefd_unwatch(struct hs_wakefd *w, int fd)
{
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void hs_wakefd_set(struct hs_wakefd *w, int on)
{
	uint64_t v = 1;

	if (w->evfd < 0 || !on == !w->raised)
		return;
	w->raised = on;
	if (on) {
		if (write(w->evfd, &v, sizeof(v)) < 0) {
			/* EAGAIN: the counter is saturated, so readable anyway */
		}
	} else if (read(w->evfd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already clear */
	}
}

void hs_wakefd_close(struct hs_wakefd *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->evfd >= 0)
		close(w->evfd);
	w->epfd = w->evfd = -1;
	w->raised = 0;
}
