/*
 * print_file.c - print a file with a progress line: a printer
 * (handshake/printer.h) on any link, the job paced by its handshake,
 * progress and status from callbacks, and the exact count of bytes the
 * printer took, also when the job fails (to resume from there).
 *
 *   print_file URI FILE           e.g. print_file 'serial:/dev/ttyUSB0?flow=rtscts' a.txt
 *
 * Exit status: 0 printed; 66 the file cannot be read; 69 no printer;
 * 74 the job failed (the message gives the count).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <handshake/handshake.h>

static void on_progress(void *ctx, const struct hs_print_progress *p)
{
	(void)ctx;
	fprintf(stderr, "\rprint_file: %zu of %zu bytes, %.0f bytes/s", p->accepted,
		p->total, p->rate);
}

static void on_status(void *ctx, const struct hs_printer_status *s)
{
	char why[128];
	(void)ctx;
	fprintf(stderr, "\nprint_file: printer says: %s%s%s\n",
		s->flags ? hs_printer_flags_text(s->flags, why, sizeof(why)) : "ready",
		s->detail[0] ? ": " : "", s->detail);
}

int main(int argc, char **argv)
{
	struct hs_printer *printer;
	struct hs_print_opts opts = { .progress = on_progress, .status = on_status };
	size_t accepted = 0;
	int fd, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: print_file URI FILE\n");
		return 64;
	}
	if ((fd = open(argv[2], O_RDONLY)) < 0) {
		perror(argv[2]);
		return 66;
	}
	/* NULL: the driver is matched from the printer's identity. */
	if (hs_printer_open(&printer, argv[1], NULL) < 0) {
		fprintf(stderr, "print_file: %s\n", hs_last_error());
		close(fd);
		return 69;
	}
	rc = hs_printer_print_fd(printer, fd, &opts, &accepted);
	fputc('\n', stderr);
	if (rc < 0)
		fprintf(stderr, "print_file: %s: the printer took %zu bytes: %s\n", argv[2],
			accepted, hs_last_error());
	else
		printf("%s: the printer took all %zu bytes (driver %s)\n", argv[2], accepted,
		       hs_printer_driver_name(printer));
	hs_printer_close(printer);
	close(fd);
	return rc < 0 ? 74 : 0;
}
