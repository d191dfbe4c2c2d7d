# completion.bash - bash completion for hsdial, hsprint, hsprobe and
# hsxfer. Installed as bash-completion's completions/hsdial, with the
# others linked to it. Self-contained: it needs bash, not the
# bash-completion package's helpers. What it offers comes from the tools
# themselves, so it cannot go stale: options from --help, devices' URIs
# from `hsprobe --json` (nothing is opened: a listing reads sysfs only),
# drivers from `hsprobe --drivers`.

# The long options a tool's --help lists: on lines "  -x, --opt ARG  text",
# the words before the gap that starts the text.
_hs_options() {
	"$1" --help 2>/dev/null | awk '/^ +-/ {
		sub(/^ +/, "")
		if (!index($0, "  "))
			next
		n = split(substr($0, 1, index($0, "  ") - 1), w, /[ ,]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^--[a-z]/)
				print w[i]
	}' | sort -u
}

# The listed devices' FIELD: "uri" (what -d takes) or "node".
_hs_devices() {
	hsprobe --json 2>/dev/null | grep -oE "\"$1\":\"[^\"]*\"" | cut -d'"' -f4
}

# The drivers of one kind (modem, printer).
_hs_drivers() {
	hsprobe --drivers 2>/dev/null | while read -r kind name; do
		[ "$kind" = "$1" ] && printf '%s\n' "$name"
	done
}

# How much of the word bash replaces: a URI has ':', '=' and '&' in it,
# which bash breaks words at (COMP_WORDBREAKS), so offers are cut after
# the last such character the word already has.
_hs_replaced() {
	local i
	for ((i = ${#1} - 1; i >= 0; i--)); do
		[[ $COMP_WORDBREAKS == *"${1:i:1}"* ]] && { printf '%s' "${1:i+1}"; return; }
	done
	printf '%s' "$1"
}

_hs_complete() {
	# words split at blanks only, from the line up to the cursor
	local line=${COMP_LINE:0:COMP_POINT} cmd cur prev words tail i
	local -a w
	read -ra w <<<"$line"
	[[ $line == *[[:space:]] ]] && w+=("")
	cmd=${w[0]##*/} cur=${w[${#w[@]}-1]} prev=${w[${#w[@]}-2]:-}
	COMPREPLY=()
	case "$cmd:$prev" in
	*:-d | *:--device)
		words=$(_hs_devices uri) ;;
	hsprobe:--setup | hsprobe:-s)
		words=$(_hs_devices node) ;;
	hsdial:--driver)
		words=$(_hs_drivers modem) ;;
	hsprint:-D | hsprint:--driver)
		words=$(_hs_drivers printer) ;;
	hsxfer:-P | hsxfer:--protocol | hsdial:--send-protocol)
		words="zmodem ymodem ymodem-g xmodem xmodem-crc xmodem-1k" ;;
	hsxfer:-r | hsxfer:--receive | hsxfer:-s | hsxfer:--send)
		# a flag, not a value: the folder or files follow
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	hsdial:--hangup-by)
		words="dtr escape both" ;;
	hsdial:-f)
		# chat's script file, or a flow control's name
		mapfile -t COMPREPLY < <(compgen -W "none rtscts xonxoff dtrdsr" -- "$cur";
			compgen -f -- "$cur")
		return ;;
	*:-f | *:--flow)
		words="none rtscts xonxoff dtrdsr" ;;
	*:-p | *:--parity)
		words="none odd even mark space" ;;
	*:--databits)
		words="5 6 7 8" ;;
	*:--stopbits)
		words="1 2" ;;
	hsdial:-c | hsdial:--chat | hsdial:-r | hsdial:--report)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	hsprobe:-u | hsprobe:--udev)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	*:-t | *:--timeout | *:-b | *:--baud | *:--pause | *:-r | *:--resume-at | \
	*:--rings | *:--linger | *:-R | *:--retries | *:--start | *:--at | *:--init | *:--prefix | \
	*:-T | *:--phone | *:-U | *:--phone2)
		return ;;   # a value only the user knows
	*)
		if [[ $cur == -* ]]; then
			words=$(_hs_options "${w[0]}")
		elif [ "$cmd" = hsprint ] || [ "$cmd" = hsxfer ]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	tail=$(_hs_replaced "$cur")
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]:${#cur}-${#tail}}
	done
}

complete -F _hs_complete hsdial hsprint hsprobe hsxfer
