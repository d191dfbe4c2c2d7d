# header2man.awk - turn one public header (lib/include/handshake/X.h)
# into its section-3 man page, from the header's own comments: the top
# comment is the DESCRIPTION, each commented group of prototypes a
# subsection of FUNCTIONS, types and constants are shown as declared.
# The header stays the one place the API is written down.
#
# POSIX awk (Debian's mawk builds the package). Variables (-v):
#   page     the page's name, e.g. handshake-link
#   version  the library's version, for the footer
#   date     the page date (the source's, so builds are reproducible)
#   pages    the other pages, space-separated, for SEE ALSO
#   links    a file to write the page's function names to, one a line
# Prose rules: a blank comment line is a paragraph break; a line starting
# "- " begins a bullet; a line indented deeper than its paragraph is kept
# as typed (tables, URIs, code).

function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# Strip comment markers from one line of a comment; -1 when the line
# only opens or closes the comment.
function comment_text(line) {
	sub(/^[ \t]*\/\*+ ?/, "", line)
	sub(/ *\*+\/[ \t]*$/, "", line)
	sub(/^[ \t]*\* ?/, "", line)
	return line
}

# Emit comment lines c[1..n] as prose.
function prose(c, n,    i, line, ind, base, literal, t) {
	base = 0
	literal = 0
	for (i = 1; i <= n; i++) {
		line = c[i]
		t = line
		sub(/^ +/, "", t)
		ind = length(line) - length(t)
		if (t == "") {
			if (literal) { print ".fi"; literal = 0 }
			print ".PP"
			base = 0
			continue
		}
		if (t ~ /^- / && ind <= base + 1 && (ind <= 1 || base > 0)) {
			if (literal) { print ".fi"; literal = 0 }
			print ".IP \\(bu 2"
			sub(/^- +/, "", t)
			print esc(t)
			base = ind + 2
			continue
		}
		if (ind > base) {
			if (!literal) { print ".nf"; literal = 1 }
			print esc(substr(line, base + 1))
			continue
		}
		if (literal) { print ".fi"; literal = 0 }
		if (ind < base) {
			print ".PP"
			base = ind
		}
		print esc(t)
	}
	if (literal)
		print ".fi"
}

# The hs_ functions a piece of code declares (comments already removed).
function functions_in(code,    names, rest, m) {
	names = ""
	rest = code
	while (match(rest, /hs_[a-z0-9_]+[ \t]*\(/)) {
		m = substr(rest, RSTART, RLENGTH)
		sub(/[ \t]*\($/, "", m)
		names = names (names == "" ? "" : " ") m
		rest = substr(rest, RSTART + RLENGTH)
	}
	return names
}

function strip_comments(s) {
	while (match(s, /\/\*([^*]|\*+[^*\/])*\*+\//))
		s = substr(s, 1, RSTART - 1) substr(s, RSTART + RLENGTH)
	return s
}

# A group is the comment before some declarations, and them.
function end_group(    code_nc, names, n, k, i, title) {
	if (ncode == 0) {
		ncom = 0
		return
	}
	code_nc = ""
	for (i = 1; i <= ncode; i++)
		code_nc = code_nc " " code[i]
	code_nc = strip_comments(code_nc)
	names = functions_in(code_nc)
	if (names != "") {
		g++
		n = split(names, arr, " ")
		title = ""
		for (k = 1; k <= n; k++) {
			title = title (k > 1 ? ", " : "") arr[k] "()"
			fnames[++nf] = arr[k]
		}
		gtitle[g] = title
		gcode[g] = ""
		for (i = 1; i <= ncode; i++)
			gcode[g] = gcode[g] code[i] "\n"
		gcom[g] = ncom
		if (ncom == 0)
			printf "%s: %s has no comment\n", FILENAME, title > "/dev/stderr"
		for (i = 1; i <= ncom; i++)
			gc[g, i] = com[i]
	} else {
		t++
		tcode[t] = ""
		for (i = 1; i <= ncom; i++)
			tcode[t] = tcode[t] "/* " com[i] " */\n"
		if (ncom > 1) {
			tcode[t] = "/*\n"
			for (i = 1; i <= ncom; i++)
				tcode[t] = tcode[t] " * " com[i] "\n"
			tcode[t] = tcode[t] " */\n"
		}
		for (i = 1; i <= ncode; i++)
			tcode[t] = tcode[t] code[i] "\n"
	}
	ncode = 0
	ncom = 0
}

function code_block(text,    n, k, lines) {
	n = split(text, lines, "\n")
	print ".nf"
	for (k = 1; k <= n; k++)
		if (lines[k] != "" || k < n) {
			gsub(/\t/, "    ", lines[k])
			print esc(lines[k])
		}
	print ".fi"
}

BEGIN {
	state = "top"    # top comment, then body
	ntop = 0; ncom = 0; ncode = 0; g = 0; t = 0; nf = 0
	incomment = 0
}

state == "top" {
	if ($0 ~ /^\/\*/) { incomment = 1; next }
	if (incomment && $0 ~ /^ \*\//) { incomment = 0; state = "body"; next }
	if (incomment) { top[++ntop] = comment_text($0); next }
	next
}

# Preprocessor scaffolding: guard, includes, C++ wrappers.
/^#(ifndef|endif|ifdef|include|if |else)/ { end_group(); next }
/^#define HANDSHAKE_[A-Z0-9_]*_H$/ { next }
/^#define HANDSHAKE_H$/ { next }
/^extern "C" \{/ || /^\}$/ { end_group(); next }

/^[ \t]*$/ { if (!incomment) end_group(); next }

# a comment at column 0 starts a group (after any code)
/^\/\*/ && !incomment {
	if (ncode > 0)
		end_group()
	if ($0 ~ /\*\/[ \t]*$/) {
		com[++ncom] = comment_text($0)
	} else {
		incomment = 1
		line = comment_text($0)
		if (line != "")
			com[++ncom] = line
	}
	next
}
incomment {
	if ($0 ~ /\*\/[ \t]*$/) {
		incomment = 0
		line = comment_text($0)
		if (line != "" && $0 !~ /^ \*\/$/)
			com[++ncom] = line
	} else {
		com[++ncom] = comment_text($0)
	}
	next
}
{ code[++ncode] = $0 }

END {
	end_group()
	header = top[1]
	sub(/ - .*/, "", header)
	summary = top[1]
	sub(/^[^ ]* - /, "", summary)
	# the summary may run on over the following lines, up to a blank one
	for (first = 2; first <= ntop && top[first] != ""; first++)
		summary = summary " " top[first]
	upper = toupper(page)
	printf ".\\\" Generated from %s by man/header2man.awk: edit the header.\n", header
	printf ".TH %s 3 \"%s\" \"handshake %s\" \"libhandshake\"\n", upper, date, version
	# code words must not be hyphenated, nor prose stretched around them
	print ".nh"
	print ".ad l"
	print ".SH NAME"
	names = ""
	for (k = 1; k <= nf; k++)
		names = names (k > 1 ? ", " : "") fnames[k]
	if (names == "")
		names = page
	print esc(names) " \\- " esc(summary)
	print ".SH SYNOPSIS"
	print ".nf"
	print ".B #include <" header ">"
	print ".fi"
	print ".PP"
	for (k = 1; k <= g; k++) {
		code_block(gcode[k])
	}
	print ".PP"
	print "Link with"
	print ".BR \"\\-lhandshake\" ;"
	print ".B pkg\\-config \\-\\-cflags \\-\\-libs handshake"
	print "gives the flags."
	print ".SH DESCRIPTION"
	n = 0
	for (k = first + 1; k <= ntop; k++)
		rest[++n] = top[k]
	if (n == 0)
		rest[++n] = "The header holds " summary
	prose(rest, n)
	if (g > 0) {
		print ".SH FUNCTIONS"
		for (k = 1; k <= g; k++) {
			print ".SS " esc(gtitle[k])
			code_block(gcode[k])
			n = 0
			for (i = 1; i <= gcom[k]; i++)
				rest[++n] = gc[k, i]
			if (n > 0) {
				print ".PP"
				prose(rest, n)
			}
		}
	}
	if (t > 0) {
		print ".SH TYPES AND CONSTANTS"
		for (k = 1; k <= t; k++) {
			if (k > 1)
				print ".PP"
			code_block(tcode[k])
		}
	}
	print ".SH RETURN VALUE"
	print "Calls that return"
	print ".B int"
	print "give"
	print ".B HS_OK"
	print "(0), or a count (> 0) where the call says so, on success and a"
	print "negative"
	print ".B enum hs_err"
	print "on failure; then"
	print ".BR hs_last_error (3)"
	print "holds a sentence naming the device and the cause. Pointer"
	print "out\\-parameters are NULL after a failure. See"
	print ".BR handshake\\-error (3)."
	print ".SH SEE ALSO"
	n = split(pages, p, " ")
	out = ".BR handshake (7)"
	for (k = 1; k <= n; k++)
		if (p[k] != page)
			out = out ",\n.BR " esc(p[k]) " (3)"
	print out
	if (links != "") {
		printf "" > links
		for (k = 1; k <= nf; k++)
			print fnames[k] > links
	}
}
