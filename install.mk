# install.mk - where `make install` puts everything, how `make uninstall`
# takes exactly that back, and `make deb` (the Debian packages). Included
# by the Makefile, whose variables (BUILD, TOOLS, MAN3...) it uses.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
# Debian's multiarch folder (/usr/lib/x86_64-linux-gnu), where ld.so and
# pkg-config look first; plain lib where the compiler knows none.
ifeq ($(origin MULTIARCH),undefined)
MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
	$(CC) -print-multiarch 2>/dev/null)
endif
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
# bash-completion loads completions/NAME when NAME is first completed.
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
# udev and systemd read only their own folders, whatever the prefix.
UDEVDIR ?= /usr/lib/udev
UNITDIR ?= /usr/lib/systemd/system
# cupsd looks for backends only here (not under PREFIX).
CUPS_BACKEND_DIR ?= /usr/lib/cups/backend

RULES := $(notdir $(wildcard udev/*.rules))
UNITS := $(notdir $(wildcard udev/*.service))

.PHONY: install uninstall installable unit-check deb

# What install needs built: not the lab nor the examples (debian/rules).
installable: $(LIBS) $(TOOL_DYN) $(MAN3)

# The cmocka suites alone: real ptys, no lab (a package build runs them).
unit-check: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

install: installable
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/handshake \
	  $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(COMPLETIONDIR)
	install -m 644 $(BUILD)/libhandshake.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SOLIB)) $(DESTDIR)$(LIBDIR)/libhandshake.so.$(SOMAJOR)
	ln -sf libhandshake.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libhandshake.so
	install -m 644 lib/include/handshake/*.h $(DESTDIR)$(INCLUDEDIR)/handshake/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	  lib/handshake.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/handshake.pc
	# man 3 NAME for every function: a symlink to its header's page
	install -m 644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	for p in $(MAN3); do for f in $$(cat $${p%.3}.links); do \
	  ln -sf $${p##*/} $(DESTDIR)$(MANDIR)/man3/$$f.3; done; done
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	for t in $(TOOLS); do install -m 755 $(BUILD)/dyn/$$t $(DESTDIR)$(BINDIR)/; \
	  install -m 644 tools/$$t.1 $(DESTDIR)$(MANDIR)/man1/; done
	# one completion script serves every tool
	install -m 644 tools/completion.bash $(DESTDIR)$(COMPLETIONDIR)/hsdial
	for t in $(filter-out hsdial,$(TOOLS)); do \
	  ln -sf hsdial $(DESTDIR)$(COMPLETIONDIR)/$$t; done
	# hsprint is also the CUPS backend "hs": a copy, not a link, so an
	# administrator can make it 0700 (cupsd then runs it as root) without
	# touching the tool. 0755: cupsd runs it as lp.
	install -d $(DESTDIR)$(CUPS_BACKEND_DIR)
	install -m 755 $(BUILD)/dyn/hsprint $(DESTDIR)$(CUPS_BACKEND_DIR)/hs
	install -d $(DESTDIR)$(UDEVDIR)/rules.d $(DESTDIR)$(UNITDIR)
	# The rules and the unit run hsprobe from where this install put it.
	for f in $(RULES); do sed 's|@BINDIR@|$(BINDIR)|g' udev/$$f \
	  > $(DESTDIR)$(UDEVDIR)/rules.d/$$f; done
	for f in $(UNITS); do sed 's|@BINDIR@|$(BINDIR)|g' udev/$$f \
	  > $(DESTDIR)$(UNITDIR)/$$f; done
	cd $(DESTDIR)$(UDEVDIR)/rules.d && chmod 644 $(RULES)
	cd $(DESTDIR)$(UNITDIR) && chmod 644 $(UNITS)

# Exactly what install put there, and the folders only we use; shared
# folders (bin, lib, man1, ...) stay.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/,libhandshake.a $(notdir $(SOLIB)) \
	  libhandshake.so.$(SOMAJOR) libhandshake.so pkgconfig/handshake.pc)
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/handshake/,$(notdir $(HEADERS)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/handshake
	for p in $(MAN3); do for f in $$(cat $${p%.3}.links); do \
	  rm -f $(DESTDIR)$(MANDIR)/man3/$$f.3; done; done
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3))) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS)) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(TOOLS:%=%.1)) \
	  $(addprefix $(DESTDIR)$(COMPLETIONDIR)/,$(TOOLS))
	rm -f $(DESTDIR)$(CUPS_BACKEND_DIR)/hs \
	  $(addprefix $(DESTDIR)$(UDEVDIR)/rules.d/,$(RULES)) \
	  $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))

# Packaging tools, installed by `make deb` itself and by make check
# (tests/bats/deb.bats builds the packages from a fresh clone).
DEB_DEPS := build-essential debhelper devscripts dpkg-dev fakeroot lintian \
	libcmocka-dev libserialport-dev libusb-1.0-0-dev pkg-config
DEB_DIR := $(BUILD)/deb

# The three packages into build/deb, from a copy of the tree there:
# dpkg-buildpackage writes beside the source, so never into the tree's
# parent. Then lintian, which must report no error.
deb:
	@$(MAKE) --no-print-directory deps DEPS="$(DEB_DEPS)"
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/handshake-$(VERSION)
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(DEB_DIR)/handshake-$(VERSION)
	cd $(DEB_DIR)/handshake-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_DIR)/*.changes
	@ls $(DEB_DIR)/*.deb
