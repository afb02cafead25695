#!/bin/sh
# Reproduces the support-ticket reading figures of issue 15 with `train text`
# on the frozen evaluation sets internal/signals/testdata/tickets/eval_*.tsv
# (negative<TAB>intents<TAB>text; '#' lines are comments). Per language:
# churn-intent precision and recall (a ticket has intent when its intents
# column is not "-", and is read with intent when `train text` gives any),
# and negative-tone recall and accuracy (read as negative when the sentiment
# is below -0.05). The same figures are checked by
# `go test ./internal/signals -run TestTicketsEval -v`.
# Usage: scripts/ticket-figures.sh [eval|tune]
set -eu
cd "$(dirname "$0")/.."
set_name=${1:-eval}
go build -o bin/train ./cmd/train
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| language | tickets | intent precision | intent recall | negative recall | negative accuracy |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for lang in zh-hant zh-hans en; do
	file=internal/signals/testdata/tickets/${set_name}_$lang.tsv
	grep -v '^#' "$file" | cut -f1,2 >"$tmp/labels"
	grep -v '^#' "$file" | cut -f3 | bin/train text |
		sed -e 's/.*"sentiment":\([^,]*\),"intents":\[\(.*\)\]}$/\1	\2/' >"$tmp/read"
	paste "$tmp/labels" "$tmp/read" | awk -F'\t' -v lang="$lang" '
		{
			n++
			want = ($2 != "-"); got = ($4 != "")
			if (want && got) itp++; else if (got) ifp++; else if (want) ifn++
			neg = ($3 + 0 < -0.05); lab = ($1 == "1")
			if (neg && lab) ntp++; else if (neg) nfp++; else if (lab) nfn++; else ntn++
		}
		END {
			printf "| %s | %d | %.3f (%d/%d) | %.3f (%d/%d) | %.3f (%d/%d) | %.3f (%d/%d) |\n", lang, n,
				itp / (itp + ifp), itp, itp + ifp, itp / (itp + ifn), itp, itp + ifn,
				ntp / (ntp + nfn), ntp, ntp + nfn, (ntp + ntn) / n, ntp + ntn, n
		}'
done
