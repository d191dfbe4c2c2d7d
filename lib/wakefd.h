/*
 * wakefd.h - private: the pollable fd (hs_link_fd) of a transport that
 * keeps input of its own, so that an event loop wakes for it: an epoll
 * set of the transport's descriptors plus an eventfd that is raised while
 * the transport holds input the caller has not read.
 */
#ifndef HS_WAKEFD_H
#define HS_WAKEFD_H

#include <stdint.h>

struct hs_wakefd {
	int epfd;       /* what hs_link_fd returns; -1 when not made */
	int evfd;       /* readable while raised */
	int raised;
};

/* Make the set; 0, or -errno. */
int hs_wakefd_open(struct hs_wakefd *w);
/* Add or remove a descriptor to watch for events (EPOLLIN...). */
void hs_wakefd_watch(struct hs_wakefd *w, int fd, uint32_t events);
void hs_wakefd_unwatch(struct hs_wakefd *w, int fd);
/* Raise (the transport holds input) or lower it. */
void hs_wakefd_set(struct hs_wakefd *w, int on);
void hs_wakefd_close(struct hs_wakefd *w);

#endif
