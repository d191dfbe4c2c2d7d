#!/usr/bin/env bats
# lab_fidelity.bats — programs nobody here wrote, unmodified, against the
# lab: libserialport reads the USB identity and modem lines, picocom talks
# across a null-modem pair. (chat(8) is in lab_modem.bats.)

load lab_helper

setup() {
	lab_setup
}

@test "libserialport opens ttyUSB0, raises DTR, reads lines and VID/PID" {
	[ -x "$SP_IDENTITY" ] || skip "sp_identity not built"
	run "$HSLAB" --transcript "$T" --usb 1a86:7523 --manufacturer 'QinHeng' \
		--product 'USB Serial' --serial 'LAB42' -- "$SP_IDENTITY" /dev/ttyUSB0
	assert_success
	assert_line 'transport=usb'
	assert_line 'vid=1a86'
	assert_line 'pid=7523'
	assert_line 'manufacturer=QinHeng'
	assert_line 'product=USB Serial'
	assert_line 'serial=LAB42'
	# the default modem is powered: CTS and DSR on, no carrier
	assert_line 'cts=1'
	assert_line 'dsr=1'
	assert_line 'dcd=0'
	grep -q 'ttyUSB0 host DTR=1' "$T"
}

@test "libserialport sees a CDC-ACM modem at ttyACM0 with its own identity" {
	[ -x "$SP_IDENTITY" ] || skip "sp_identity not built"
	run "$HSLAB" --port ttyACM0 -- "$SP_IDENTITY" /dev/ttyACM0
	assert_success
	assert_line 'transport=usb'
	assert_line 'vid=0572'
	assert_line 'pid=1329'
	assert_line 'product=USB Modem'
}

@test "null-modem: DTR shows as DSR+DCD and RTS as CTS on the other end" {
	run "$HSLAB" --transcript "$T" --nullmodem 'ttyUSB0 ttyUSB1' -- sh -c "
		$LABHOST /dev/ttyUSB1 dtr 0 rts 0 send ready sleep 100000 &
		$LABHOST /dev/ttyUSB0 expect ready wait-line DSR 0 5 wait-line DCD 0 5 \
			wait-line CTS 0 5 lines
		kill \$!"
	assert_success
	assert_output 'CTS=0 DSR=0 DCD=0 RI=0'
	grep -q 'ttyUSB0 dev DSR=0 DCD=0' "$T"
	grep -q 'ttyUSB0 dev CTS=0' "$T"
}

@test "picocom on one end of a null-modem pair exchanges bytes with the other" {
	command -v picocom >/dev/null || skip "picocom not installed"
	run "$HSLAB" --transcript "$T" --nullmodem 'ttyUSB0 ttyUSB1' -- sh -c '
		. "$LAB_WAIT"
		"$LABHOST" /dev/ttyUSB1 expect "hello from picocom" \
			send "world from the far end\r\n" &
		far=$!
		wait_for "$T" "ttyUSB1 host DTR=1" 10 || exit 90
		# stdin is a pipe, not a terminal: picocom sends it, then
		# exits after 1.5 s without traffic (-x)
		printf "hello from picocom" |
			picocom -q -b 115200 -x 1500 /dev/ttyUSB0 >"$BATS_TEST_TMPDIR/picocom.out"
		rc=$?
		wait $far || exit 91
		exit $rc'
	assert_success
	run cat "$BATS_TEST_TMPDIR/picocom.out"
	assert_output --partial 'world from the far end'
	grep -qF 'ttyUSB0 rx "hello from picocom"' "$T"
	grep -qF 'ttyUSB1 tx "hello from picocom"' "$T"
}

@test "emulated ports are ttys to isatty() (umockdev alone says no)" {
	run "$HSLAB" --port ttyUSB0=none --port ttyACM0=none -- sh -c \
		'exec 3</dev/ttyUSB0 4</dev/ttyACM0; [ -t 3 ] && [ -t 4 ]'
	assert_success
	# without the shim, umockdev's isatty() answers 0 for major 188
	run env HSLAB_SHIM= "$HSLAB" --port ttyUSB0=none -- sh -c \
		'exec 3</dev/ttyUSB0 || exit 9; [ -t 3 ]'
	assert_failure 1
}

@test "udevadm sees ttyUSB0 under its USB device, with usb_id's properties" {
	command -v udevadm >/dev/null || skip "udev not installed"
	run "$HSLAB" --manufacturer 'ACME Corp' --serial A1 -- \
		udevadm info --query=property /sys/class/tty/ttyUSB0
	assert_success
	assert_line 'ID_VENDOR_ID=0403'
	assert_line 'ID_SERIAL=ACME_Corp_FT232R_USB_UART_A1'
	assert_line 'ID_USB_DRIVER=ftdi_sio'
	run "$HSLAB" -- udevadm info -a /sys/class/tty/ttyUSB0
	assert_success
	assert_output --partial 'SUBSYSTEMS=="usb-serial"'
	assert_output --partial 'ATTRS{idVendor}=="0403"'
}
