#!/bin/sh
# gen-messages.sh N TAG PREFIX NREPS OUT [FIRST]
#
# Writes a flood of N incoming messages for the simulator:
#   OUT.inject  simulator control commands ("inject ... text=..."), one each
#   OUT.expect  "sender<TAB>text<TAB>known|unknown<TAB>parts" per message
# Message i (FIRST.. FIRST+N-1, default 1) carries the unique tag "#TAGi"
# so no two texts (hence PDUs) are equal and every stored body can be
# matched to its injection. The mix, by i mod 20:
#   0,5,10,15  Chinese multipart, 3 parts, delivered out of order (3,1,2 /
#              2,3,1), 8-bit or 16-bit reference
#   7          Chinese multipart, 2 parts, second part first
#   3,13       English GSM-7 report
#   11         from a number not in the people table (no acknowledgement)
#   17         from an alphanumeric sender "MTN" (never acknowledged)
#   others     short Chinese reports: 签到 / 日报 / 库存 / 拜访
# Known senders are +PREFIX000001..+PREFIX<NREPS>, round robin.
set -eu
n=$1 tag=$2 prefix=$3 nreps=$4 out=$5 first=${6:-1}

awk -v n="$n" -v tag="$tag" -v prefix="$prefix" -v nreps="$nreps" \
	-v first="$first" -v inj="$out.inject" -v expf="$out.expect" '
BEGIN {
	short[0] = "签到 JN0231"
	short[1] = "日报 120 3500 8"
	short[2] = "库存 A12 40 箱"
	short[3] = "拜访 王记超市 已下单"
	short[4] = "日报 95 2800 6 天气不好"
	long = "周报：本周拜访客户二十三家，新开门店四家，回款三万五千元，" \
	       "王记超市要求下周补货五十箱，李家便利店投诉包装破损，" \
	       "请主管协助处理。明天去城东片区继续拜访。"
	for (k = 0; k < n; k++) {
		i = first + k
		m = i % 20
		from = sprintf("+%s%06d", prefix, 1 + i % nreps)
		known = "known"
		opts = ""
		parts = 1
		if (m == 11) {
			from = sprintf("+86139%08d", i)
			known = "unknown"
		} else if (m == 17) {
			from = "MTN"
			known = "unknown"
		}
		if (m % 5 == 0) {
			text = long " #" tag i
			parts = 3
			opts = (m % 10 == 0) ? " parts=3 order=3,1,2" \
					     : " parts=3 order=2,3,1 ref16"
		} else if (m == 7) {
			text = long " #" tag i
			parts = 2
			opts = " parts=2 order=2,1"
		} else if (m == 3 || m == 13) {
			text = "REPORT visits 12 sales 3500 #" tag i
		} else {
			text = short[i % 5] " #" tag i
		}
		printf "inject from=%s%s text=%s\n", from, opts, text > inj
		printf "%s\t%s\t%s\t%d\n", from, text, known, parts > expf
	}
}'
