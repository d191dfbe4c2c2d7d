/*
 * bench_port.h - a benchmark's own descriptor of the port a URI names
 * ("serial:PATH?..."), for what the link does not offer: hs_link_fd() is
 * for polling, and on a port with modem lines it is not the port itself.
 * Open it before the link, which then makes the port exclusive.
 */
#ifndef BENCH_PORT_H
#define BENCH_PORT_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static inline int bench_port_open(const char *uri)
{
	char path[256];
	const char *p = strncmp(uri, "serial:", 7) == 0 ? uri + 7 : uri;

	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, "?"), p);
	return open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

#endif
