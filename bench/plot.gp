# Draws bench/results.png from the data bench/node/report.mjs writes.
# Called by bench/run.sh as: gnuplot -e "panels='...'; data='...'; out='...'" plot.gp
load panels
rows = int(ceil(npanels / 3.0))
set terminal pngcairo size 1500,400*rows font "DejaVu Sans,10"
set output out
set multiplot layout rows,3 title stamp font ",12"
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set yrange [0:*]
set xtics rotate by -20 font ",9" nomirror
set format y "%g"
set linetype 1 lc rgb "#d9480f"
set linetype 2 lc rgb "#868e96"
set linetype 3 lc rgb "#1c7ed6"
unset key
do for [i=1:npanels] {
    set title titles[i]
    set ylabel ylabels[i]
    plot data index (i-1) using 0:2:3:xtic(1) with boxes lc variable, \
         '' index (i-1) using 0:2:4 with labels offset 0,0.7 font ",9"
}
unset multiplot
