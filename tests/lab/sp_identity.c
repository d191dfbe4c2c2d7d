/*
 * sp_identity.c — fidelity probe: unmodified libserialport code against a
 * lab port. Opens PORT, raises DTR and RTS, reads CTS/DSR/DCD/RI and prints
 * what libserialport reports about the port's USB identity, one
 * "key=value" per line, so a test can compare it with what the lab
 * announced. Exits 1 on any libserialport error (with its message).
 */
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>

static int check(enum sp_return r, const char *what)
{
	if (r < 0) {
		char *m = sp_last_error_message();
		fprintf(stderr, "sp_identity: %s: %d %s\n", what, (int)r,
		        r == SP_ERR_FAIL ? m : "");
		sp_free_error_message(m);
		exit(1);
	}
	return (int)r;
}

int main(int argc, char **argv)
{
	struct sp_port *port;
	enum sp_signal sig;
	int vid, pid, bus, addr;
	const char *dev = argc > 1 ? argv[1] : "/dev/ttyUSB0";

	check(sp_get_port_by_name(dev, &port), "sp_get_port_by_name");
	check(sp_open(port, SP_MODE_READ_WRITE), "sp_open");
	check(sp_set_baudrate(port, 9600), "sp_set_baudrate");
	check(sp_set_flowcontrol(port, SP_FLOWCONTROL_RTSCTS),
	      "sp_set_flowcontrol");
	check(sp_set_dtr(port, SP_DTR_ON), "sp_set_dtr");
	check(sp_set_rts(port, SP_RTS_ON), "sp_set_rts");
	check(sp_get_signals(port, &sig), "sp_get_signals");
	printf("transport=%s\n",
	       sp_get_port_transport(port) == SP_TRANSPORT_USB ? "usb" :
	       sp_get_port_transport(port) == SP_TRANSPORT_NATIVE ? "native" :
	       "other");
	check(sp_get_port_usb_vid_pid(port, &vid, &pid), "vid_pid");
	printf("vid=%04x\npid=%04x\n", vid, pid);
	check(sp_get_port_usb_bus_address(port, &bus, &addr), "bus_address");
	printf("bus=%d\naddress=%d\n", bus, addr);
	printf("manufacturer=%s\n", sp_get_port_usb_manufacturer(port));
	printf("product=%s\n", sp_get_port_usb_product(port));
	printf("serial=%s\n", sp_get_port_usb_serial(port));
	printf("cts=%d\ndsr=%d\ndcd=%d\nri=%d\n", !!(sig & SP_SIG_CTS),
	       !!(sig & SP_SIG_DSR), !!(sig & SP_SIG_DCD),
	       !!(sig & SP_SIG_RI));
	check(sp_close(port), "sp_close");
	sp_free_port(port);
	return 0;
}
